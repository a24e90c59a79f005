package org.execpolicy.pdp.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code java} command line for the JVMs the tests start as child processes ({@code serve},
 * {@code recorder verify}, the example runtime, the README's commands).
 *
 * <p>They run with the client compiler only ({@code -XX:TieredStopAtLevel=1}): a JVM that lives a
 * few seconds spends about half its CPU in C2 compiling code it will not run long enough to gain
 * from (measured on this 2-core machine: {@code rules check} 10.1 s of CPU with C2, 5.0 s without;
 * a {@code serve} start 11.7 s against 6.4 s). The suite is CPU-bound on two cores, so that CPU is
 * time every other test waits for. The flag changes how fast code runs, never what it does: what
 * the tests check is the same program's behaviour.
 */
public final class ChildJvm {
    /** The flags every child JVM gets; also the value of {@code JDK_JAVA_OPTIONS} for shell commands. */
    public static final List<String> FLAGS = List.of("-XX:TieredStopAtLevel=1");

    private ChildJvm() {
    }

    /** {@code java FLAGS args...} with this JVM's own {@code java}. */
    public static List<String> java(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(FLAGS);
        command.addAll(List.of(args));
        return command;
    }
}
