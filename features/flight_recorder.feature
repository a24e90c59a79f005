Feature: Every decision is in the Flight Recorder with the requested and the effective policy
  As an auditor
  I want one llm_exec_policy record per decision, holding what the runtime asked for,
  what it was allowed, why, under which waiver, and where its trace goes,
  so that I can check any model call after the fact.

  Scenario: A runtime's execution policy hint is recorded next to the policy it got
    Given a work profile "p1" is active where the worker uses preset "standard"
    When the runtime asks for a decision for role "worker" requesting "layer_skip" and "approximate" with trace level "summary"
    Then the Flight Recorder holds the decision
    And the recorded requested policy is exactly the one the runtime sent
    And the recorded requested policy is "layer_skip" and "approximate" from "request"
    And the recorded effective policy is "spec_decode" and "exact"
    And the recorded policy hashes are the SHA-256 of the canonical requested and effective policies
    And the recorded requested and effective policy hashes differ
    And the Flight Recorder holds the decision with:
      | mode         | spec_decode                             |
      | exactness    | exact                                   |
      | downgraded   | true                                    |
      | reason_codes | APPROXIMATE_NOT_ALLOWED, WAIVER_MISSING |

  Scenario: A hint the runtime may follow as it is is recorded unchanged
    Given a work profile "p1" is active where the worker uses preset "standard"
    When the runtime asks for a decision for role "worker" requesting "mem_offload" and "exact" with policy id "team-offload"
    Then the effective policy is "mem_offload" and "exact"
    And the effective policy keeps policy id "team-offload"
    And the Flight Recorder holds the decision with:
      | requested_source | request     |
      | mode             | mem_offload |
      | exactness        | exact       |
      | downgraded       | false       |
      | downgrade_reason | null        |
      | reason_codes     | none        |
    And the recorded policy hashes are the SHA-256 of the canonical requested and effective policies
    And the recorded requested and effective policy hashes are equal

  Scenario: A downgraded policy loses its policy id
    Given a work profile "p1" is active where the worker uses preset "standard"
    When the runtime asks for a decision for role "worker" requesting "layer_skip" and "approximate" with policy id "team-fast"
    Then the effective policy is "spec_decode" and "exact"
    And the effective policy carries no policy id

  Scenario: Granted approximate execution names its waiver and reserves a trace artifact
    Given waiver "w1" covers role "worker" and expires in 30 days
    And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate allowed under waiver "w1"
    When the runtime asks for a decision for role "worker"
    Then approximate execution is granted under waiver "w1"
    And tracing is forced on at level "per_token" for every token with a trace artifact
    And a trace artifact reference is reserved for the runtime
    And the Flight Recorder holds the decision
    And the recorded decision names waiver "w1" and a trace artifact reference
    And the recorded policy hashes are the SHA-256 of the canonical requested and effective policies

  Scenario: Granted approximate execution keeps a finer trace level the runtime asked for
    Given waiver "w1" covers role "worker" and expires in 30 days
    And a work profile "p1" is active where the worker uses preset "standard" with approximate allowed under waiver "w1"
    When the runtime asks for a decision for role "worker" requesting "early_exit" and "approximate" with trace level "per_layer"
    Then approximate execution is granted under waiver "w1"
    And tracing is forced on at level "per_layer" for every token with a trace artifact
    And the Flight Recorder holds the decision
    And the recorded decision names waiver "w1" and a trace artifact reference

  Scenario: Exact execution that asked for a trace has no artifact, because it is exact
    Given a work profile "p1" is active where the worker uses preset "standard"
    When the runtime asks for a decision for role "worker" requesting "spec_decode" and "exact" with trace level "summary"
    Then there is no trace artifact reference, because of "exact_execution"
    And the Flight Recorder holds the decision
    And the recorded decision names no waiver and no trace artifact reference, because of "exact_execution"

  Scenario: Exact execution with no trace asked for has no artifact, because none was requested
    Given a work profile "p1" is active where the worker uses preset "fast_exact"
    When the runtime asks for a decision for role "worker"
    Then there is no trace artifact reference, because of "trace_not_requested"
    And the Flight Recorder holds the decision
    And the recorded decision names no waiver and no trace artifact reference, because of "trace_not_requested"

  Scenario: Refused approximate execution has no waiver and no trace artifact
    Given waiver "w1" covers role "worker" and expires in 30 days
    And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate allowed under waiver "w1"
    And waiver "w1" has been revoked
    When the runtime asks for a decision for role "worker"
    Then the answer is exact
    And the Flight Recorder holds the decision
    And the recorded decision names no waiver and no trace artifact reference, because of "trace_not_requested"

  Scenario: Every rule that fired is recorded, in order, as evidence of the decision
    Given waiver "w1" covers role "worker" and expires in 30 days
    And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate allowed under waiver "w1"
    And waiver "w1" has been revoked
    When the runtime asks for a decision for role "worker"
    Then the Flight Recorder holds every rule that fired for the decision, in order

  Scenario: The same request under the same profile, roles and waivers gets the same policy
    Given waiver "w1" covers role "worker" and expires in 30 days
    And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate allowed under waiver "w1"
    When the runtime asks for a decision for role "worker" requesting "layer_skip" and "approximate" with trace level "summary"
    And the runtime asks again with the same request
    Then both answers give byte-identical effective policies and hashes

  Scenario: A plain decision request and the same request with a charset are decided alike
    Given a work profile "p1" is active where the worker uses preset "fast_exact"
    When the runtime asks for a decision for role "worker" with no execution policy
    And the runtime asks again with the same request sent as "application/json; charset=utf-8"
    Then both answers are the same but for their decision and event ids

  Scenario: A secret pasted into free text is redacted before it is stored
    When an operator grants waiver "w-secret" justified by "batch SLO; db password=hunter2, key sk-abcdefghijklmnop1234"
    And an operator revokes waiver "w-secret" because "leaked in Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc"
    Then the waiver "w-secret" is stored and recorded with the justification "batch SLO; db password=[REDACTED], key [REDACTED]"
    And the waiver "w-secret" is stored and recorded with the revoke reason "leaked in Authorization: Bearer [REDACTED]"
