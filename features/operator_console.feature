Feature: The operator console loads from this PDP alone
  As an operator I want the console's page, style and scripts served by the PDP itself,
  under a policy that runs only scripts of its own origin,
  so that nothing loaded from elsewhere can act with my token.

  Scenario Outline: The console's page, style and script modules are served under its content security policy
    When a browser asks the PDP for the console's "<file>"
    Then it is served as "<type>"
    And its content security policy runs scripts of this origin only

    Examples:
      | file               | type            |
      | index.html         | text/html       |
      | app.css            | text/css        |
      | app.js             | text/javascript |
      | api.js             | text/javascript |
      | decision-detail.js | text/javascript |

  Scenario: A script the console does not have is not found
    When a browser asks the PDP for the console's "no-such-module.js"
    Then it is refused with status 404 as a problem
