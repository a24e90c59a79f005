package org.execpolicy.pdp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The compile queue the warm-up waits on, read from HotSpot's Compiler.queue command. */
class CompilerQueueTest {

    @Test
    void counts_the_methods_being_compiled_and_those_queued_by_every_compiler() {
        String text = String.join("\n",
                "Current compiles: ",
                "C2 CompilerThread0  13722       4       org.example.Codec::foldable (421 bytes)",
                "C1 CompilerThread0  13851       2       org.example.Node::doLeftInserts (147 bytes)",
                "",
                "C1 compile queue:",
                "13815       3       org.example.Session::getNextValueFor (197 bytes)",
                "13816   !   3       org.example.Sequence::getNext (103 bytes)",
                "",
                "C2 compile queue:",
                "11468       4       org.example.DataUtils::composePagePos (12 bytes)",
                "");
        assertThat(CompilerQueue.count(text)).isEqualTo(5);
    }

    @Test
    void an_idle_compiler_has_nothing_queued() {
        String text = String.join("\n", "Current compiles: ", "", "C1 compile queue:", "Empty", "",
                "C2 compile queue:", "Empty", "");
        assertThat(CompilerQueue.count(text)).isZero();
    }

    @Test
    void this_jvm_lists_its_queue() {
        // HotSpot, the JVM the README asks for: the warm-up must not fall back to the compile time
        assertThat(CompilerQueue.length()).isPresent();
    }
}
