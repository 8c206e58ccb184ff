package dev.vos.controlplane.spec;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SpecProblemTest {

    @Test
    void format_isCompilerStyle_leavingOutWhatIsUnknown() {
        assertEquals("h.yaml:3:7: domains[0].kind: bad",
                new SpecProblem(3, 7, "domains[0].kind", "bad").format("h.yaml"));
        assertEquals("h.yaml:2:1: YAML syntax error", new SpecProblem(2, 1, "", "YAML syntax error").format("h.yaml"));
        assertEquals("h.yaml: no such file", new SpecProblem(0, 0, "", "no such file").format("h.yaml"));
    }

    @Test
    void exception_sortsByLineThenColumn() {
        SpecException e = new SpecException("h.yaml", List.of(new SpecProblem(9, 1, "b", "x"),
                new SpecProblem(2, 8, "a", "y"), new SpecProblem(2, 3, "c", "z")));
        assertEquals("h.yaml:2:3: c: z\nh.yaml:2:8: a: y\nh.yaml:9:1: b: x", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SpecException("h.yaml", List.of()));
    }
}
