Feature: The answer and the record say everything the runtime contract names
  As a runtime author and an auditor
  I want the decision to say whether the effective policy was adjusted and why, to give a cloud
  backend its reasoning strength, to keep my session identifiers, and to link every record to
  its policy decision, and every refusal to carry a message,
  so that a runtime written to the Handshake spec reads what the spec says it gets.

  Background:
    Given waiver "w-valid" covers every role and expires in 30 days

  Scenario: The requested and effective hashes differ without a downgrade: the decision is adjusted
    Given a work profile is active where the worker uses preset "fast_approx" with approximate allowed under waiver "w-valid"
    When the runtime asks for a decision for role "worker" with no execution policy
    Then the effective policy is "layer_skip" and "approximate"
    And the decision is not downgraded
    And the decision is adjusted because of "TRACE_FORCED"

  Scenario: A policy the runtime may run as it is, is neither downgraded nor adjusted
    Given a work profile is active where the worker uses preset "standard"
    When the runtime asks for a decision for role "worker" requesting "mem_offload" and "exact"
    Then the decision is not downgraded
    And the decision is not adjusted
    And the recorded requested and effective policy hashes are equal

  Scenario: With a cloud backend the cloud reasoning strength is returned, so the runtime can apply it
    Given a work profile is active where the worker uses preset "standard" and cloud reasoning strength "high" and may call a cloud backend
    When the runtime asks for a decision for role "worker" with no execution policy on a "cloud" backend
    Then the answer carries cloud reasoning strength "high"
    And the codes are "none"

  Scenario: With a local backend the strength is flagged, not returned
    Given a work profile is active where the worker uses preset "standard" and cloud reasoning strength "high"
    When the runtime asks for a decision for role "worker" with no execution policy on a "local" backend
    Then the answer carries no cloud reasoning strength
    And the codes are "CX-MM-005"

  Scenario: The runtime's session, model instance and model session are recorded with the decision
    Given a work profile is active where the worker uses preset "standard"
    When the runtime asks for a decision for role "worker" with no execution policy in session "s-1" on model instance "mi-1" in model session "ms-1"
    Then the Flight Recorder holds the decision with:
      | session_id        | s-1  |
      | model_instance_id | mi-1 |
      | model_session_id  | ms-1 |
    And every record of the decision names it as its policy decision

  Scenario: Without session identifiers the record says so with nulls
    Given a work profile is active where the worker uses preset "standard"
    When the runtime asks for a decision for role "worker" with no execution policy
    Then the Flight Recorder holds the decision with:
      | session_id        | null |
      | model_instance_id | null |
      | model_session_id  | null |
