package dev.vos.backend.xen.libxl;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** What vos reads from libxl's JSON: events and domain infos, in the shapes libxl 4.17 writes them. */
class LibxlJsonTest {

    /** libxl_shutdown_reason_to_string's names, by Xen's codes (SHUTDOWN_poweroff is 0, SHUTDOWN_crash 3, ...). */
    private static String reason(int code) {
        return List.of("poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset").get(code);
    }

    @Test
    void shutdownEvent_carriesItsReason_asXensCode() {
        DomainEvent e = DomainEvent.fromJson("""
                {"domid": 3, "domuuid": "6a2b3c4d-0000-0000-0000-000000000000", "for_user": 7,
                 "type.domain_shutdown": {"shutdown_reason": 3}}""", LibxlJsonTest::reason);
        assertEquals(new DomainEvent(DomainEvent.Type.DOMAIN_SHUTDOWN, 3, 7, "crash"), e);
    }

    @Test
    void shutdownEvent_poweroffIsCodeZero_whichLibxlLeavesOut() {
        assertEquals("poweroff", DomainEvent.fromJson("{\"domid\": 3, \"for_user\": 7, \"type.domain_shutdown\":"
                + " {\"shutdown_reason\": 0}}", LibxlJsonTest::reason).shutdownReason());
        // what libxl 4.17 really wrote for a guest that powered off (seen in the lab)
        assertEquals("poweroff", DomainEvent.fromJson("{\"domid\": 3, \"domuuid\": \"ab\", \"for_user\": 7,"
                + " \"type.domain_shutdown\": {}}", LibxlJsonTest::reason).shutdownReason());
    }

    @Test
    void dominfo_ofDomain0_hasNoDomidField() {
        DomainInfo d = DomainInfo.fromJson("Domain-0", "{\"uuid\": \"00000000-0000-0000-0000-000000000000\","
                + " \"running\": true, \"current_memkb\": 524288}");
        assertEquals(0, d.domid());
    }

    @Test
    void deathEvent() {
        DomainEvent e = DomainEvent.fromJson("{\"domid\": 4, \"for_user\": 9, \"type.domain_death\": {}}",
                LibxlJsonTest::reason);
        assertEquals(new DomainEvent(DomainEvent.Type.DOMAIN_DEATH, 4, 9, ""), e);
    }

    @Test
    void deathEvent_withTheTypeAsAField() {
        DomainEvent e = DomainEvent.fromJson("{\"domid\": 4, \"for_user\": 9, \"type\": \"domain_death\"}",
                LibxlJsonTest::reason);
        assertEquals(DomainEvent.Type.DOMAIN_DEATH, e.type());
    }

    @Test
    void otherEvents_areOther() {
        assertEquals(DomainEvent.Type.OTHER, DomainEvent.fromJson("{\"domid\": 1, \"type.disk_eject\": {}}",
                LibxlJsonTest::reason).type());
    }

    @Test
    void dominfo_ofACrashedDomain() {
        DomainInfo d = DomainInfo.fromJson("svc-b", """
                {"uuid": "00000000-0000-0000-0000-000000000000", "domid": 5, "ssidref": 0, "running": false,
                 "blocked": false, "paused": false, "shutdown": true, "dying": false, "never_stop": false,
                 "shutdown_reason": "crash", "current_memkb": 98304, "max_memkb": 98304, "cpu_time": 12,
                 "vcpu_max_id": 0, "vcpu_online": 1, "cpupool": 0, "domain_type": "pv"}""");
        assertEquals(5, d.domid());
        assertEquals("crash", d.shutdownReason());
        assertEquals("----c-", d.state());
        assertEquals(98304, d.currentMemKb());
    }

    @Test
    void dominfo_ofARunningDomain_hasNoShutdownReason() {
        DomainInfo d = DomainInfo.fromJson("svc-a", "{\"domid\": 2, \"running\": true, \"shutdown\": false,"
                + " \"shutdown_reason\": \"poweroff\"}");
        assertEquals("", d.shutdownReason());
        assertEquals("r-----", d.state());
    }

    @Test
    void quote_escapes() {
        assertEquals("\"a\\\"b\\\\c\\n\\u0001\"", Json.quote("a\"b\\c\n\u0001"));
    }

    @Test
    void errorNames() {
        assertEquals("ERROR_DOMAIN_NOTFOUND (-21)", LibxlError.name(-21));
        assertEquals("ERROR_UNKNOWN (-99)", LibxlError.name(-99));
    }
}
