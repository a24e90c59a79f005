Feature: exec_policy is a forward-compatible hint; the top level of a request stays strict
  As the author of a runtime written to a later version of the spec
  I want the members of settings.exec_policy that this version does not know to be accepted,
  not evaluated, dropped from the effective policy with UNKNOWN_FIELDS_DROPPED and recorded
  by JSON pointer only, never by value,
  so that my runtime is not refused for fields the spec says it may send.

  Scenario: A later version's member of exec_policy is dropped and named by its pointer
    Given a work profile is active where the worker uses preset "standard"
    When the runtime asks for a decision for role "worker" requesting "mem_offload" and "exact" carrying a later version's member "speculative"
    Then the effective policy is "mem_offload" and "exact"
    And the decision is not downgraded
    And the decision is adjusted because of "UNKNOWN_FIELDS_DROPPED"
    And the dropped fields are "/settings/exec_policy/speculative"
    And the effective policy has no member "speculative"
    And the Flight Recorder holds the decision
    And the Flight Recorder does not hold the value of any dropped member

  Scenario: An unknown field at the top level of the request is still refused
    When the runtime sends a decision request for role "worker" that also carries the chat "messages"
    Then it is refused with status 400 as a problem
    And the problem names the field "/messages"
    And nothing is recorded for that request
