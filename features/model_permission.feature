Feature: A call runs only on the models and backends the Work Profile assigns to the role's class
  As an operator
  I want a call to a cloud backend for a role class assigned local_only, or to a model its assignment
  does not name, to be refused (spec T-PROFILE-004),
  so that a Work Profile's model assignments hold for every call, and every refusal is on record.

  Background:
    Given a work profile is active where the worker uses preset "fast_exact" with model "local-7b" with fallback "local-3b" and allowed models "mistral-7b"

  Scenario Outline: The worker calls <model> on a <backend> backend
    When the runtime asks for a decision for role "worker" with no execution policy for model "<model>" on a "<backend>" backend
    Then the model call <permitted> permitted
    And the effective policy is "<mode>" and "exact"
    And the reason codes are "<reason codes>"
    And the Flight Recorder holds the decision with:
      | model_permitted | <recorded> |
      | reason_codes    | <reason codes> |

    Examples: The assignment's primary, fallback and allowed models on a local backend are permitted
      | model      | backend | permitted | mode        | reason codes | recorded |
      | local-7b   | local   | is        | spec_decode | none         | true     |
      | local-3b   | local   | is        | spec_decode | none         | true     |
      | mistral-7b | local   | is        | spec_decode | none         | true     |

    Examples: A cloud backend for a local_only class, or a model the assignment does not name, must not run
      | model      | backend | permitted | mode     | reason codes                            | recorded |
      | local-7b   | cloud   | is not    | standard | LOCAL_ONLY_VIOLATION                    | false    |
      | gpt-4o     | local   | is not    | standard | MODEL_NOT_ALLOWED                       | false    |
      | gpt-4o     | cloud   | is not    | standard | LOCAL_ONLY_VIOLATION, MODEL_NOT_ALLOWED | false    |

  Scenario: A call that is not permitted is answered standard and exact, downgraded with its reason
    When the runtime asks for a decision for role "worker" with no execution policy for model "local-7b" on a "cloud" backend
    Then the model call is not permitted
    And the effective policy is "standard" and "exact"
    And the decision is downgraded
    And the Flight Recorder shows the downgrade from "spec_decode" and "exact" to "standard" and "exact"

  Scenario: A class that is not local_only may call a cloud backend
    Given a work profile is active where the worker uses preset "fast_exact" with model "local-7b" and may call a cloud backend
    When the runtime asks for a decision for role "worker" with no execution policy for model "local-7b" on a "cloud" backend
    Then the model call is permitted
    And the effective policy is "spec_decode" and "exact"
    And the reason codes are "none"

  Scenario: A dynamic role is held to the model assignment of the class it inherits
    Given a dynamic role "summarizer" inherits "worker" and uses preset "fast_exact"
    When the runtime asks for a decision for role "summarizer" with no execution policy for model "gpt-4o" on a "local" backend
    Then the model call is not permitted
    And the effective policy is "standard" and "exact"
    And the reason codes are "MODEL_NOT_ALLOWED"
