Feature: Bad input is refused with a clear problem, and nothing of it is kept
  As an operator or a runtime author
  I want a mistaken request refused as an RFC 9457 problem that says what is wrong,
  and nothing of it stored, so that prompts and invalid settings never reach the records.

  Scenario: A prompt sent by mistake is refused and never stored
    When the runtime sends a decision request for role "worker" that also carries the chat "messages"
    Then it is refused with status 400 as a problem
    And the problem names the field "/messages"
    And the problem does not repeat the prompt
    And nothing is recorded for that request

  Scenario: A work profile that allows approximate execution without a waiver is refused
    When an operator saves a work profile "p1" where the worker uses preset "fast_approx" with approximate allowed but no waiver
    Then it is refused with status 422 as a problem
    And the problem names the field "/model_assignments/worker/compute/approximate/waiver_ref"
    And work profile "p1" is not stored

  Scenario: Revoking a waiver that was never granted is refused
    Given no waiver "w1" has ever been granted
    When an operator revokes waiver "w1"
    Then it is refused with status 404 as a problem

  Scenario: An operation that reads no body still refuses one that is not JSON, and changes nothing
    Given a work profile "p1" is active where the worker uses preset "standard"
    And a work profile "p2" is active where the worker uses preset "standard"
    When an operator activates work profile "p1" with a plain-text body
    Then it is refused with status 415 as a problem
    And work profile "p2" is still the active one
