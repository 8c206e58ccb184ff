package dev.vos.perf.counting;

import dev.vos.perf.proc.ProcTasks;
import dev.vos.perf.workload.WorkloadProcess;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JvmThreadNamesTest {

    @Test
    void name_longJavaThreadName_fullFromJcmdWhereCommIsCut() throws Exception {
        String name = "a-very-long-worker-thread-name";
        try (WorkloadProcess w = WorkloadProcess.start(List.of(), name + ":1:0")) {
            int tid = ProcTasks.tids(w.pid()).stream().filter(t -> name.substring(0, 15).equals(
                    ProcTasks.comm(w.pid(), t))).findFirst().orElseThrow();
            assertEquals(name.substring(0, 15), ThreadNamer.COMM.name(w.pid(), tid), "comm is cut to 15 characters");
            JvmThreadNames names = new JvmThreadNames();
            names.refresh(w.pid(), true);
            assertEquals(name, names.name(w.pid(), tid));
        }
    }

    @Test
    void parse_bothHeaderFormats() {
        Map<Integer, String> m = JvmThreadNames.parse("""
                "main" #1 [4242] prio=5 os_prio=0 cpu=1.00ms elapsed=2.00s tid=0x00007f nid=4242 waiting on condition
                "old style" #7 daemon prio=9 os_prio=0 tid=0x00007f nid=0x10a0 runnable
                "GC Thread#0" os_prio=0 cpu=0.1ms elapsed=2s tid=0x00007f nid=4250 runnable
                   java.lang.Thread.State: RUNNABLE
                """);
        assertEquals(Map.of(4242, "main", 0x10a0, "old style", 4250, "GC Thread#0"), m, m.toString());
    }
}
