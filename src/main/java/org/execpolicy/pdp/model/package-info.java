/**
 * The model room: the facts the rules match ({@code DecisionRequest}, {@code Requested},
 * {@code Effective}, {@code Waiver}, {@code DynamicRole}, {@code Outcome}, ...; every DRL file imports
 * this package, so a fact keeps its package and name) and the secret redactor free text passes before
 * it is stored. Uses only {@code json} (RoomsTest keeps it so).
 */
package org.execpolicy.pdp.model;
