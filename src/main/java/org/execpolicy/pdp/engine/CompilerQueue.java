package org.execpolicy.pdp.engine;

import java.lang.management.ManagementFactory;
import java.util.OptionalInt;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * How many methods the JIT compilers have queued or are compiling, from HotSpot's
 * {@code Compiler.queue} diagnostic command (what {@code jcmd PID Compiler.queue} prints), read
 * through the platform MBean server. The total compile time alone cannot tell a quiet compiler from
 * one busy with a long compilation: it grows only when a compilation ends, and C2 spends up to 2 s
 * on one method of the decision path while dozens more wait behind it.
 */
final class CompilerQueue {
    private static final String MBEAN = "com.sun.management:type=DiagnosticCommand";

    private CompilerQueue() {
    }

    /** Methods queued or being compiled, by every compiler; empty where the JVM has no such command. */
    static OptionalInt length() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            Object text = server.invoke(new ObjectName(MBEAN), "compilerQueue", new Object[] {null},
                    new String[] {String[].class.getName()});
            return text instanceof String s ? OptionalInt.of(count(s)) : OptionalInt.empty();
        } catch (JMException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * Counts the tasks in the command's text: each queued method is a line that starts with its
     * compile id, each method being compiled a line under "Current compiles:" that names its
     * compiler thread.
     */
    static int count(String text) {
        int tasks = 0;
        boolean current = false;
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("Current compiles")) {
                current = true;
            } else if (trimmed.endsWith("compile queue:")) {
                current = false;
            } else if (!trimmed.isEmpty() && (current || Character.isDigit(trimmed.charAt(0)))) {
                tasks++;
            }
        }
        return tasks;
    }
}
