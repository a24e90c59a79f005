Feature: Where the requested policy comes from, and every reason the effective policy differs
  As a governance author
  I want each source of the requested policy and each reason code to be visible in the decision,
  with the effective mode, exactness and downgraded flag it leads to,
  so that the rules in rules/ can be checked against the contract one case at a time.

  Background:
    Given waiver "w-valid" covers every role and expires in 30 days
    And a dynamic role "summarizer" inherits "worker" and uses preset "fast_exact"

  Scenario Outline: <role> asks <request> where <profile>
    Given a work profile is active where <profile>
    When the runtime asks for a decision for role "<role>" <request>
    Then the requested policy comes from "<source>"
    And the effective policy is "<mode>" and "<exactness>"
    And the decision <downgraded>
    And the reason codes are "<reason codes>"
    And the codes are "<codes>"

    Examples: Every source of the requested policy
      | role       | profile                                                | request                              | source          | mode        | exactness | downgraded        | reason codes | codes |
      | worker     | the worker uses preset "fast_exact"                    | requesting "mem_offload" and "exact" | request         | mem_offload | exact     | is not downgraded | none         | none  |
      | summarizer | the worker uses preset "standard"                      | with no execution policy             | dynamic_role    | spec_decode | exact     | is not downgraded | none         | none  |
      | worker     | the worker uses preset "fast_exact"                    | with no execution policy             | work_profile    | spec_decode | exact     | is not downgraded | none         | none  |
      | worker     | the worker uses the override "mem_offload" and "exact" | with no execution policy             | work_profile    | mem_offload | exact     | is not downgraded | none         | none  |
      | frontend   | the worker uses preset "fast_exact"                    | with no execution policy             | runtime_default | standard    | exact     | is not downgraded | none         | none  |

    Examples: Governance refuses approximate execution, in the order of the contract
      | role      | profile                                                                                      | request                                              | source       | mode        | exactness   | downgraded        | reason codes                            | codes |
      | worker    | the worker uses preset "fast_approx" with approximate allowed under waiver "w-valid"         | with no execution policy                             | work_profile | layer_skip  | approximate | is not downgraded | none                                    | none  |
      | worker    | the worker uses preset "fast_approx" with approximate allowed under waiver "w-valid"         | with no execution policy in runtime mode "DOCS_ONLY" | work_profile | standard    | exact       | is downgraded     | RUNTIME_MODE_DOCS_ONLY                  | none  |
      | worker    | the worker uses preset "fast_approx" with approximate allowed under waiver "w-valid"         | with no execution policy for a "tool_call" task      | work_profile | spec_decode | exact       | is downgraded     | TASK_TOOL_CALL_EXACT_ONLY               | none  |
      | validator | the validator uses preset "fast_approx" with approximate allowed under waiver "w-valid"      | with no execution policy                             | work_profile | spec_decode | exact       | is downgraded     | ROLE_VALIDATOR_EXACT_ONLY               | none  |
      | worker    | the worker uses preset "fast_approx" with approximate not allowed under waiver "w-valid"     | with no execution policy                             | work_profile | spec_decode | exact       | is downgraded     | APPROXIMATE_NOT_ALLOWED                 | none  |
      | worker    | the worker uses preset "fast_approx" with no approximate control                             | with no execution policy                             | work_profile | spec_decode | exact       | is downgraded     | APPROXIMATE_NOT_ALLOWED, WAIVER_MISSING | none  |

    Examples: Role class, classification, capability and codes
      | role     | profile                                                                              | request                                                                       | source          | mode        | exactness | downgraded        | reason codes                                                    | codes     |
      | stranger | the worker uses preset "fast_approx" with approximate allowed under waiver "w-valid" | with no execution policy                                                      | runtime_default | standard    | exact     | is not downgraded | ROLE_UNREGISTERED                                               | none      |
      | worker   | the worker uses preset "standard"                                                    | requesting "early_exit" and "exact"                                           | request         | spec_decode | exact     | is downgraded     | EXACTNESS_RECLASSIFIED, APPROXIMATE_NOT_ALLOWED, WAIVER_MISSING | none      |
      | worker   | the worker uses preset "standard"                                                    | requesting "warp_drive" and "exact"                                           | request         | spec_decode | exact     | is downgraded     | MODE_UNKNOWN                                                    | none      |
      | worker   | the worker uses preset "fast_exact"                                                  | with no execution policy on a runtime supporting only "standard"              | work_profile    | standard    | exact     | is downgraded     | MODE_UNSUPPORTED                                                | none      |
      | worker   | the worker uses preset "fast_approx" with approximate allowed under waiver "w-valid" | with no execution policy on a runtime supporting only "standard, spec_decode" | work_profile    | spec_decode | exact     | is downgraded     | MODE_UNSUPPORTED                                                | none      |
      | worker   | the worker uses preset "standard" and cloud reasoning strength "high"                | with no execution policy on a "local" backend                                 | work_profile    | standard    | exact     | is not downgraded | CX-MM-005                                                       | CX-MM-005 |
      | worker   | the worker uses preset "standard" and cloud reasoning strength "high" and may call a cloud backend | with no execution policy on a "cloud" backend                   | work_profile    | standard    | exact     | is not downgraded | none                                                            | none      |

    Examples: Model permission: a call the work profile does not permit is standard and exact (SPEC 3.7)
      | role       | profile                             | request                                                                | source       | mode     | exactness | downgraded    | reason codes                            | codes |
      | worker     | the worker uses preset "fast_exact" | with no execution policy on a "cloud" backend                          | work_profile | standard | exact     | is downgraded | LOCAL_ONLY_VIOLATION                    | none  |
      | worker     | the worker uses preset "fast_exact" | with no execution policy for model "gpt-4o"                            | work_profile | standard | exact     | is downgraded | MODEL_NOT_ALLOWED                       | none  |
      | summarizer | the worker uses preset "standard"   | with no execution policy for model "gpt-4o" on a "cloud" backend       | dynamic_role | standard | exact     | is downgraded | LOCAL_ONLY_VIOLATION, MODEL_NOT_ALLOWED | none  |

    Examples: An approximate mode labelled exact is reclassified (SPEC 3.10: exactness differs, so downgraded)
      | role   | profile                                                                           | request                             | source  | mode       | exactness   | downgraded    | reason codes           | codes |
      | worker | the worker uses preset "standard" with approximate allowed under waiver "w-valid" | requesting "early_exit" and "exact" | request | early_exit | approximate | is downgraded | EXACTNESS_RECLASSIFIED | none  |

  Scenario: A dynamic role without inherits has its own compute and no class
    Given a work profile is active where the worker uses preset "fast_approx"
    And a dynamic role "drafter" without inherits uses preset "fast_exact"
    When the runtime asks for a decision for role "drafter" with no execution policy
    Then the requested policy comes from "dynamic_role"
    And the effective policy is "spec_decode" and "exact"
    And the reason codes are "none"

  Scenario: A dynamic role with neither inherits nor compute is refused
    Given a dynamic role "nobody" without inherits uses no compute settings
    Then it is refused with status 422 as a problem
    And the problem names the field "/inherits"
