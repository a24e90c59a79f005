Feature: Only an operator changes what the rules read, and every change is on record
  As an operator I want every change to profiles, roles, waivers and rules to need my token
  and to be recorded with my name and what changed,
  so that an auditor can tell who made the PDP decide as it does.

  Scenario Outline: A change <who> is refused and changes nothing
    When a client <who> saves a work profile "p1"
    Then it is refused with status <status> as a problem
    And work profile "p1" is not stored
    And no work profile change is recorded for work profile "p1"

    Examples:
      | who                     | status |
      | without a token         | 401    |
      | with an unknown token   | 401    |
      | with the runtime token  | 403    |
      | with the auditor token  | 403    |

  Scenario: A change is recorded with the operator's name and the paths it changed
    Given a work profile "p1" is active where the worker uses preset "standard"
    And in that work profile the worker uses preset "fast_exact"
    Then the last change to work profile "p1" is recorded by "operator" as changing "/model_assignments/worker/compute/speed_preset"
    And work profile "p1" has 2 versions in its history, newest first

  Scenario: Reads and decisions need no token on loopback
    Given a work profile "p1" is active where the worker uses preset "fast_exact"
    When the runtime asks for a decision for role "worker"
    Then the effective policy is "spec_decode" and "exact"
    And the Flight Recorder holds the decision
