Feature: Work Profiles are hsk.work_profile@0.6 or @0.5, carry governance, and are immutable once used
  As an operator
  I want a Work Profile that decisions have used to stay exactly as it was (spec 4.3.7.1),
  so that every recorded decision can be traced to the profile it ran under;
  a change is saved under a new profile_id and selected.

  Scenario: A profile that any decision has used cannot be changed
    Given a work profile "p1" is active where the worker uses preset "standard"
    And the runtime asks for a decision for role "worker"
    When an operator changes work profile "p1" so that the worker uses preset "fast_exact"
    Then it is refused with status 409 as a problem
    And the problem's detail mentions "new profile_id"
    And work profile "p1" has the worker on preset "standard"

  Scenario: An unused profile may be replaced, even while it is active
    Given a work profile "p1" is active where the worker uses preset "standard"
    When an operator changes work profile "p1" so that the worker uses preset "fast_exact"
    Then the work profile is saved
    And work profile "p1" has the worker on preset "fast_exact"

  Scenario: The change of a used profile is saved under a new profile_id and selected
    Given a work profile "p1" is active where the worker uses preset "standard"
    And the runtime asks for a decision for role "worker"
    When an operator selects work profile "p1-2" where the worker uses preset "fast_exact"
    And the runtime asks for a decision for role "worker"
    Then the requested policy comes from "work_profile"
    And the requested policy is "spec_decode" and "exact"
    And work profile "p1" has the worker on preset "standard"

  Scenario: A hsk.work_profile@0.5 profile is 0.6 without compute
    When an operator saves a hsk.work_profile@0.5 profile "p5" where the worker uses no compute settings
    Then the work profile is saved

  Scenario: A hsk.work_profile@0.5 profile carrying compute is refused, naming the field
    When an operator saves a hsk.work_profile@0.5 profile "p5" where the worker uses preset "fast_exact"
    Then it is refused with status 400 as a problem
    And the problem names the field "/model_assignments/worker/compute"
    And work profile "p5" is not stored

  Scenario: A profile without governance is refused, naming the field
    When an operator saves a work profile "p6" without governance
    Then it is refused with status 400 as a problem
    And the problem names the field "/governance"
    And work profile "p6" is not stored
