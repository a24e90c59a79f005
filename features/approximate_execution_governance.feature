Feature: Approximate execution only under a work profile that allows it, backed by a valid waiver
  As an auditor
  I want approximate execution to run only when an operator allowed it in the work profile
  under a waiver that is known, not revoked, not expired and covers the call,
  so that nothing ever turns approximation on implicitly and every refusal is on record.

  Rule: A valid waiver that covers the role lets the operator's approximate preset through

    Scenario: The worker runs approximate under a valid waiver
      Given waiver "w1" covers role "worker" and expires in 30 days
      And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate allowed under waiver "w1"
      When the runtime asks for a decision for role "worker"
      Then the effective policy is "layer_skip" and "approximate"
      And the decision is not downgraded
      And approximate execution is granted under waiver "w1"
      And the reason codes are "none"
      And the Flight Recorder holds the decision with:
        | requested_source | work_profile |
        | mode             | layer_skip   |
        | exactness        | approximate  |
        | downgraded       | false        |
        | waiver_ref       | w1           |

  Rule: Otherwise the answer is exact, and the downgrade is on record with its reason

    Scenario: The work profile does not allow approximate execution
      Given waiver "w1" covers role "worker" and expires in 30 days
      And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate not allowed under waiver "w1"
      When the runtime asks for a decision for role "worker"
      Then the effective policy is "spec_decode" and "exact"
      And the decision is downgraded
      And no waiver is named
      And the reason codes include "APPROXIMATE_NOT_ALLOWED"
      And the Flight Recorder shows the downgrade from "layer_skip" and "approximate" to "spec_decode" and "exact"
      And the recorded reason codes include "APPROXIMATE_NOT_ALLOWED"

    Scenario: The work profile names no waiver
      Given a work profile "p1" is active where the worker uses preset "fast_approx" with no approximate control
      When the runtime asks for a decision for role "worker"
      Then the effective policy is "spec_decode" and "exact"
      And the decision is downgraded
      And the reason codes include "WAIVER_MISSING"
      And the Flight Recorder shows the downgrade from "layer_skip" and "approximate" to "spec_decode" and "exact"
      And the recorded reason codes include "WAIVER_MISSING"

    Scenario: A waiver revoked after the profile was saved no longer grants
      Given waiver "w1" covers role "worker" and expires in 30 days
      And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate allowed under waiver "w1"
      And waiver "w1" has been revoked
      When the runtime asks for a decision for role "worker"
      Then the effective policy is "spec_decode" and "exact"
      And the decision is downgraded
      And the reason codes are "WAIVER_REVOKED"
      And the Flight Recorder shows the downgrade from "layer_skip" and "approximate" to "spec_decode" and "exact"
      And the recorded reason codes include "WAIVER_REVOKED"

    Scenario: A waiver that expired after the profile was saved no longer grants
      Given waiver "w1" covers role "worker" and expires in 1 day
      And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate allowed under waiver "w1"
      And 2 days pass
      When the runtime asks for a decision for role "worker"
      Then the effective policy is "spec_decode" and "exact"
      And the decision is downgraded
      And the reason codes are "WAIVER_EXPIRED"
      And the Flight Recorder shows the downgrade from "layer_skip" and "approximate" to "spec_decode" and "exact"
      And the recorded reason codes include "WAIVER_EXPIRED"

    Scenario: The work profile's own deadline for the waiver has passed, although the waiver still runs
      Given waiver "w1" covers role "worker" and expires in 30 days
      And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate allowed under waiver "w1" until 1 day from now
      And 2 days pass
      When the runtime asks for a decision for role "worker"
      Then the effective policy is "spec_decode" and "exact"
      And the decision is downgraded
      And the reason codes are "WAIVER_EXPIRED"
      And the Flight Recorder shows the downgrade from "layer_skip" and "approximate" to "spec_decode" and "exact"

    Scenario Outline: Saving a profile that turns approximate on under a waiver the rules refuse is refused
      Given waiver "w-revoked" covers role "worker" and expires in 30 days
      And waiver "w-revoked" has been revoked
      And waiver "w-frontend-only" covers role "frontend" and expires in 30 days
      And waiver "w-other-check" waives the check "cloud_escalation" for role "worker" and expires in 30 days
      And no waiver "w-nowhere" has ever been granted
      When an operator saves a work profile "p1" where the worker uses preset "fast_approx" with approximate allowed under waiver "<waiver>"
      Then it is refused with status 422 as a problem
      And the problem names the field "/model_assignments/worker/compute/approximate/waiver_ref"
      And the problem's detail mentions "<code>"
      And work profile "p1" is not stored

      Examples:
        | waiver          | code                  |
        | w-nowhere       | WAIVER_UNKNOWN        |
        | w-revoked       | WAIVER_REVOKED        |
        | w-frontend-only | WAIVER_SCOPE_MISMATCH |
        | w-other-check   | WAIVER_SCOPE_MISMATCH |

    Scenario: The waiver covers another work packet
      Given waiver "w1" covers role "worker" in work packet "wp-7" and expires in 30 days
      And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate allowed under waiver "w1"
      When the runtime asks for a decision for role "worker" in work packet "wp-8"
      Then the effective policy is "spec_decode" and "exact"
      And the reason codes are "WAIVER_SCOPE_MISMATCH"
      And the Flight Recorder shows the downgrade from "layer_skip" and "approximate" to "spec_decode" and "exact"

    Scenario: A runtime cannot grant itself approximate execution
      Given a work profile "p1" is active where the worker uses preset "standard"
      When the runtime asks for a decision for role "worker" requesting "layer_skip" and "approximate"
      Then the requested policy comes from "request"
      And the effective policy is "spec_decode" and "exact"
      And the decision is downgraded
      And the reason codes are "APPROXIMATE_NOT_ALLOWED, WAIVER_MISSING"
      And the Flight Recorder shows the downgrade from "layer_skip" and "approximate" to "spec_decode" and "exact"

    Scenario: A runtime without speculative decoding falls back to standard
      Given waiver "w1" covers role "worker" and expires in 30 days
      And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate allowed under waiver "w1"
      And waiver "w1" has been revoked
      When the runtime asks for a decision for role "worker" on a runtime supporting only "standard, layer_skip"
      Then the effective policy is "standard" and "exact"
      And the reason codes are "WAIVER_REVOKED"
      And the Flight Recorder shows the downgrade from "layer_skip" and "approximate" to "standard" and "exact"

  Rule: A MEDIUM or HIGH risk waiver covers nothing until a second operator approves it (v2)

    Scenario: A MEDIUM risk waiver is pending until another operator approves it
      Given waiver "w1" of risk "MEDIUM" covers role "worker" and expires in 30 days
      And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate allowed under waiver "w1"
      When the runtime asks for a decision for role "worker"
      Then the effective policy is "spec_decode" and "exact"
      And the decision is downgraded
      And no waiver is named
      And the reason codes are "WAIVER_PENDING"
      And the recorded reason codes include "WAIVER_PENDING"
      When another operator approves waiver "w1"
      Then waiver "w1" is active, approved by "second-operator"
      And the Flight Recorder holds one approval of waiver "w1" by "second-operator"
      When the runtime asks for a decision for role "worker"
      Then the effective policy is "layer_skip" and "approximate"
      And approximate execution is granted under waiver "w1"
      And the reason codes are "none"

    Scenario: The operator who granted a HIGH risk waiver cannot approve it
      Given waiver "w1" of risk "HIGH" covers role "worker" and expires in 30 days
      When the operator who granted waiver "w1" approves it
      Then it is refused with status 403 as a problem
      And the problem's detail mentions "second operator"
      And waiver "w1" is pending
      And the Flight Recorder holds no approval of waiver "w1"

  Rule: The work profile's control for the role's class enables approximate execution; a dynamic role only narrows it

    Scenario: A dynamic role that allows, under a work profile that allows, runs approximate under the role's waiver
      Given waiver "w1" covers role "worker" and expires in 30 days
      And waiver "w-summaries" covers role "summarizer" and expires in 30 days
      And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate allowed under waiver "w1"
      And a dynamic role "summarizer" inherits "worker" and uses preset "fast_approx" with approximate allowed under waiver "w-summaries"
      When the runtime asks for a decision for role "summarizer"
      Then the effective policy is "layer_skip" and "approximate"
      And approximate execution is granted under waiver "w-summaries"
      And the reason codes are "none"
      And the Flight Recorder holds the decision with:
        | requested_source | dynamic_role |
        | waiver_ref       | w-summaries  |

    Scenario: A dynamic role cannot widen a work profile that does not allow approximate execution
      Given waiver "w1" covers role "worker" and expires in 30 days
      And waiver "w-summaries" covers role "summarizer" and expires in 30 days
      And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate not allowed under waiver "w1"
      And a dynamic role "summarizer" inherits "worker" and uses preset "fast_approx" with approximate allowed under waiver "w-summaries"
      When the runtime asks for a decision for role "summarizer"
      Then the effective policy is "spec_decode" and "exact"
      And no waiver is named
      And the reason codes are "APPROXIMATE_NOT_ALLOWED"
      And the Flight Recorder shows the downgrade from "layer_skip" and "approximate" to "spec_decode" and "exact"

    Scenario: A dynamic role that does not allow narrows what the work profile allows
      Given waiver "w1" covers every role and expires in 30 days
      And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate allowed under waiver "w1"
      And a dynamic role "summarizer" inherits "worker" and uses preset "fast_approx" with approximate not allowed
      When the runtime asks for a decision for role "summarizer"
      Then the requested policy comes from "dynamic_role"
      And the effective policy is "spec_decode" and "exact"
      And the reason codes are "APPROXIMATE_NOT_ALLOWED"
      And the Flight Recorder shows the downgrade from "layer_skip" and "approximate" to "spec_decode" and "exact"

    Scenario: The waiver the dynamic role names must be valid too
      Given waiver "w1" covers role "worker" and expires in 30 days
      And waiver "w-summaries" covers role "summarizer" and expires in 30 days
      And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate allowed under waiver "w1"
      And a dynamic role "summarizer" inherits "worker" and uses preset "fast_approx" with approximate allowed under waiver "w-summaries"
      And waiver "w-summaries" has been revoked
      When the runtime asks for a decision for role "summarizer"
      Then the effective policy is "spec_decode" and "exact"
      And no waiver is named
      And the reason codes are "WAIVER_REVOKED"
      And the Flight Recorder shows the downgrade from "layer_skip" and "approximate" to "spec_decode" and "exact"

    Scenario: A dynamic role without a class gets no profile compute, so it cannot run approximate
      Given waiver "w1" covers every role and expires in 30 days
      And a work profile "p1" is active where the worker uses preset "fast_approx" with approximate allowed under waiver "w1"
      And a dynamic role "drafter" without inherits uses preset "fast_approx" with approximate allowed under waiver "w1"
      When the runtime asks for a decision for role "drafter"
      Then the requested policy comes from "dynamic_role"
      And the effective policy is "spec_decode" and "exact"
      And the reason codes are "APPROXIMATE_NOT_ALLOWED, WAIVER_MISSING"
