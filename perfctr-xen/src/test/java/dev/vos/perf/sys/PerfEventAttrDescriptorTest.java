package dev.vos.perf.sys;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layouts against the kernel's own figures ({@code include/uapi/linux/perf_event.h}, v6.18): the
 * {@code PERF_ATTR_SIZE_VER*} sizes mark where fields end, and the offsets below are what {@code pahole} prints
 * for {@code struct perf_event_attr} and {@code struct perf_event_mmap_page} on x86_64.
 */
class PerfEventAttrDescriptorTest {

    @Test
    void attrOffsets_matchTheHeader() {
        Map<String, Integer> expected = Map.ofEntries(Map.entry("TYPE_OFFSET", 0), Map.entry("SIZE_OFFSET", 4),
                Map.entry("CONFIG_OFFSET", 8), Map.entry("SAMPLE_PERIOD_OFFSET", 16),
                Map.entry("SAMPLE_TYPE_OFFSET", 24), Map.entry("READ_FORMAT_OFFSET", 32),
                Map.entry("FLAGS_OFFSET", 40), Map.entry("WAKEUP_EVENTS_OFFSET", 48), Map.entry("BP_TYPE_OFFSET", 52),
                Map.entry("CONFIG1_OFFSET", 56), Map.entry("CONFIG2_OFFSET", 64),
                Map.entry("BRANCH_SAMPLE_TYPE_OFFSET", 72), Map.entry("SAMPLE_REGS_USER_OFFSET", 80),
                Map.entry("SAMPLE_STACK_USER_OFFSET", 88), Map.entry("CLOCKID_OFFSET", 92),
                Map.entry("SAMPLE_REGS_INTR_OFFSET", 96), Map.entry("AUX_WATERMARK_OFFSET", 104),
                Map.entry("SAMPLE_MAX_STACK_OFFSET", 108), Map.entry("RESERVED_2_OFFSET", 110),
                Map.entry("AUX_SAMPLE_SIZE_OFFSET", 112), Map.entry("AUX_ACTION_OFFSET", 116),
                Map.entry("SIG_DATA_OFFSET", 120), Map.entry("CONFIG3_OFFSET", 128), Map.entry("SIZE", 136));
        assertEquals(new TreeMap<>(expected), new TreeMap<>(offsets(PerfEventAttrDescriptor.class)));
        // PERF_ATTR_SIZE_VER0..VER8: each version ends where a field group ends.
        int[] versions = {64, 72, 80, 96, 104, 112, 120, 128, 136};
        int[] endsAt = {PerfEventAttrDescriptor.CONFIG2_OFFSET, PerfEventAttrDescriptor.BRANCH_SAMPLE_TYPE_OFFSET,
                PerfEventAttrDescriptor.SAMPLE_REGS_USER_OFFSET, PerfEventAttrDescriptor.SAMPLE_REGS_INTR_OFFSET,
                PerfEventAttrDescriptor.AUX_WATERMARK_OFFSET, PerfEventAttrDescriptor.AUX_SAMPLE_SIZE_OFFSET,
                PerfEventAttrDescriptor.SIG_DATA_OFFSET, PerfEventAttrDescriptor.CONFIG3_OFFSET,
                PerfEventAttrDescriptor.SIZE};
        for (int i = 0; i < versions.length; i++) {
            assertEquals(versions[i], endsAt[i], "PERF_ATTR_SIZE_VER" + i);
        }
    }

    @Test
    void attrFlagBits_matchTheBitField() {
        // disabled:1 inherit:1 pinned:1 exclusive:1 exclude_user:1 exclude_kernel:1 exclude_hv:1 exclude_idle:1
        // mmap:1 comm:1 freq:1 inherit_stat:1 enable_on_exec:1 task:1 watermark:1 precise_ip:2 mmap_data:1
        // sample_id_all:1 exclude_host:1 exclude_guest:1 exclude_callchain_kernel:1
        assertEquals(1L, PerfEventAttrDescriptor.FLAG_DISABLED);
        assertEquals(1L << 5, PerfEventAttrDescriptor.FLAG_EXCLUDE_KERNEL);
        assertEquals(1L << 6, PerfEventAttrDescriptor.FLAG_EXCLUDE_HV);
        assertEquals(1L << 10, PerfEventAttrDescriptor.FLAG_FREQ);
        assertEquals(1L << 18, PerfEventAttrDescriptor.FLAG_SAMPLE_ID_ALL);
        assertEquals(1L << 21, PerfEventAttrDescriptor.FLAG_EXCLUDE_CALLCHAIN_KERNEL);
    }

    @Test
    void offsets_alignedToTheirFieldSize() {
        for (var e : offsets(PerfEventAttrDescriptor.class).entrySet()) {
            int align = e.getKey().startsWith("SAMPLE_MAX_STACK") || e.getKey().startsWith("RESERVED_2") ? 2
                    : e.getKey().matches("(TYPE|SIZE|WAKEUP_EVENTS|BP_TYPE|SAMPLE_STACK_USER|CLOCKID|AUX_WATERMARK"
                    + "|AUX_SAMPLE_SIZE|AUX_ACTION)_OFFSET") ? 4 : 8;
            assertEquals(0, e.getValue() % align, e.getKey() + "=" + e.getValue());
        }
    }

    @Test
    void mmapPageAndRecordOffsets_matchTheHeader() {
        assertEquals(1024, MmapPageDescriptor.DATA_HEAD_OFFSET);
        assertEquals(1032, MmapPageDescriptor.DATA_TAIL_OFFSET);
        assertEquals(1040, MmapPageDescriptor.DATA_OFFSET_OFFSET);
        assertEquals(1048, MmapPageDescriptor.DATA_SIZE_OFFSET);
        assertEquals(9 * 4096, MmapPageDescriptor.mappingLength(8, 4096));
        // SAMPLE with IP|TID|TIME|CPU|PERIOD|CALLCHAIN: header 8, ip 8, pid+tid 8, time 8, cpu+res 8, period 8,
        // nr 8.
        assertEquals(8, RecordDescriptor.SAMPLE_IP_OFFSET);
        assertEquals(16, RecordDescriptor.SAMPLE_PID_OFFSET);
        assertEquals(20, RecordDescriptor.SAMPLE_TID_OFFSET);
        assertEquals(24, RecordDescriptor.SAMPLE_TIME_OFFSET);
        assertEquals(32, RecordDescriptor.SAMPLE_CPU_OFFSET);
        assertEquals(40, RecordDescriptor.SAMPLE_PERIOD_OFFSET);
        assertEquals(48, RecordDescriptor.SAMPLE_NR_OFFSET);
        assertEquals(56, RecordDescriptor.SAMPLE_IPS_OFFSET);
        // FORK/EXIT: pid, ppid, tid, ptid (u32 each) after the header; COMM: pid, tid, then the name.
        assertEquals(16, RecordDescriptor.TASK_TID_OFFSET);
        assertEquals(20, RecordDescriptor.TASK_PTID_OFFSET);
        assertEquals(12, RecordDescriptor.COMM_TID_OFFSET);
        assertEquals(16, RecordDescriptor.COMM_NAME_OFFSET);
        assertTrue(RecordDescriptor.isContextMarker(RecordDescriptor.PERF_CONTEXT_USER));
        assertTrue(RecordDescriptor.isContextMarker(-4095L));
        assertTrue(!RecordDescriptor.isContextMarker(0xffffffff81000000L), "a kernel address is not a marker");
        assertEquals(24 + 2 * 16, GroupReadDescriptor.length(2));
    }

    private static Map<String, Integer> offsets(Class<?> c) {
        Map<String, Integer> out = new TreeMap<>();
        for (Field f : c.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class
                    && (f.getName().endsWith("_OFFSET") || f.getName().equals("SIZE"))) {
                try {
                    out.put(f.getName(), f.getInt(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return out;
    }
}
