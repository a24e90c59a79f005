Feature: Selecting a Work Profile is recorded as work_profile_selected (FR-EVT-PROFILE-001)
  As an auditor
  I want each selection of a Work Profile recorded with the profile it replaced, the model each
  core role resolves to, and the profile's automation level and cloud escalation,
  so that I know under which governance every later decision ran.

  Scenario: An operator selects another work profile
    Given a work profile "p1" is active where the worker uses preset "standard"
    When an operator selects work profile "p2" where the worker uses preset "fast_exact"
    Then the Flight Recorder holds a work_profile_selected record for "p2" after "p1", with automation level "HYBRID", cloud escalation not allowed and every core role resolved to "local-7b"
