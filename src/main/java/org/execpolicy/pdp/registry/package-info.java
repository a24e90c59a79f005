/**
 * The registry room: work profiles, dynamic roles and waivers, and the one transaction every change
 * goes through ({@code RegistryService}: the checks a schema cannot say ({@code RegistryEntryChecks}),
 * the second-operator protocol ({@code WaiverApproval}), would the rules grant what a save turns on
 * ({@code WaiverCoverage}, asking the engine), and the change records ({@code RegistryChangeRecords}).
 * The entries are stored by {@code recorder.RegistryStore} (SQL, in the same store and transaction as
 * their records). May use {@code engine}, {@code recorder}, {@code model} and {@code json}; never the
 * HTTP or CLI adapters. The facts the rules read of it ({@code Waiver}, {@code DynamicRole}) stay in
 * {@code model}, where every DRL file imports them.
 */
package org.execpolicy.pdp.registry;
