Feature: Several PDP nodes on one PostgreSQL are one PDP
  As an operator running several nodes on one PostgreSQL database
  I want any node to serve what another stored, and a change made through two nodes at once
  to be either stored or clearly refused,
  so that which node a runtime or an auditor reaches makes no difference.

  Background:
    Given two PDP nodes "a" and "b" share one PostgreSQL database

  Scenario: Trace artifacts live in the shared database: one uploaded through one node is served by another
    Given the worker is granted approximate execution under a waiver through node "a"
    When the runtime asks node "a" for an approximate decision for the worker
    And the runtime uploads a trace of 3000 tokens for it to node "a"
    Then the upload is answered 201 with the SHA-256 of what was uploaded
    And node "b" serves the trace byte for byte

  Scenario: The same profile saved through two nodes at once is stored once, the other save is refused
    When the same new work profile is saved through node "a" and node "b" at once
    Then one save is answered 201 and the other 409 as a problem saying it was changed through another node
    And both nodes serve the profile of the save answered 201, with one version in its history
