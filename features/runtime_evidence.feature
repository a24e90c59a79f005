Feature: What actually ran is on record, with its per-token trace
  As an auditor I want the trace of every approximate call and the runtime's own report,
  linked from the decision by SHA-256,
  so that a runtime that ran other than it was granted is caught.

  Background:
    Given waiver "w1" covers role "worker" and expires in 30 days
    And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate allowed under waiver "w1"

  Scenario: The runtime uploads its trace and reports what ran as granted
    When the runtime asks for a decision for role "worker"
    And the runtime uploads a trace of 20 tokens for the decision
    And the runtime reports it ran "layer_skip" and "approximate"
    Then the trace is attached to the decision with the SHA-256 of what was uploaded
    And the decision shows that SHA-256
    And no policy violation is recorded for the decision

  Scenario: A trace that carries token ids is refused and nothing is kept
    When the runtime asks for a decision for role "worker"
    And the runtime uploads a trace of 5 tokens for the decision with "token_id" in every record
    Then it is refused with status 422 as a problem
    And the problem's detail mentions "token_id"
    And no trace is attached to the decision and no trace file is kept

  Scenario: A self-describing trace names its format in its header
    When the runtime asks for a decision for role "worker"
    And the runtime uploads a trace of 5 tokens for the decision whose header names format "hsk.layerwise_trace@0.1"
    Then the trace is attached to the decision with the SHA-256 of what was uploaded

  Scenario: A trace that names another format is refused and nothing is kept
    When the runtime asks for a decision for role "worker"
    And the runtime uploads a trace of 5 tokens for the decision whose header names format "hsk.layerwise_trace@0.2"
    Then it is refused with status 422 as a problem
    And the problem names the field "/0/format"
    And no trace is attached to the decision and no trace file is kept

  Scenario: A trace of another model than the decision's is refused and nothing is kept
    When the runtime asks for a decision for role "worker"
    And the runtime uploads a trace of 5 tokens for the decision whose header names model "some-other-model"
    Then it is refused with status 422 as a problem
    And the problem names the field "/0/model_id"
    And the problem's detail mentions "model_id must be the decision's"
    And no trace is attached to the decision and no trace file is kept

  Scenario: A runtime that ran approximate execution where exact was granted is caught
    Given waiver "w1" has been revoked
    When the runtime asks for a decision for role "worker"
    And the runtime reports it ran "layer_skip" and "approximate"
    Then a policy violation "CX-EXEC-VIOLATION" is recorded for the decision, granted "spec_decode" and "exact"
    And the policy violation names "approximate_when_exact_granted, mode_differs"
    And no runtime downgrade is recorded for the decision
    And the report rule "report: approximate execution where exact was granted" fired for the decision

  Scenario: A runtime that falls back from approximate to exact and says why is a permitted runtime downgrade
    When the runtime asks for a decision for role "worker"
    And the runtime reports it fell back to "standard" and "exact" because "layer_skip kernel unavailable"
    Then a runtime downgrade is recorded for the decision, granted "layer_skip" and "approximate", reported "standard" and "exact", because "layer_skip kernel unavailable"
    And no policy violation is recorded for the decision
    And the report rule "report: a permitted downgrade with a reason" fired for the decision

  Scenario: A runtime that falls back to another mode without saying why is caught
    When the runtime asks for a decision for role "worker"
    And the runtime reports it ran "standard" and "exact"
    Then a policy violation "CX-EXEC-VIOLATION" is recorded for the decision, granted "layer_skip" and "approximate"
    And the policy violation names "downgrade_without_reason"
    And no runtime downgrade is recorded for the decision

  Scenario: The executed record carries the trace's SHA-256 and the exit-layer histogram
    When the runtime asks for a decision for role "worker"
    And the runtime uploads a trace of 20 tokens for the decision
    And the runtime reports it ran "layer_skip" and "approximate" with exit layers {"12": 5, "30": 15}
    Then the decision has a second llm_exec_policy record with phase "executed"
    And the executed record carries the SHA-256 of what was uploaded and the exit layers {"12": 5, "30": 15}
    And the decision read back is still the decided record

  Scenario: A trace that never comes is recorded missing once its deadline has passed
    When the runtime asks for a decision for role "worker"
    And 16 minutes pass
    Then the Flight Recorder records the decision's trace as missing

  Scenario: A trace older than the trace retention is purged, and asking for it says so
    When the runtime asks for a decision for role "worker"
    And the runtime uploads a trace of 5 tokens for the decision
    And 8 days pass
    Then the Flight Recorder records the decision's trace as purged by retention
    And asking for the trace answers 410 with reason "purged_by_retention" and the purge record as checkpoint
