package dev.vos.backend.xen.libxl;

import java.util.Map;

/**
 * A domain as {@code libxl_list_domain} or {@code libxl_domain_info} sees it, read from {@code libxl_dominfo_to_json}.
 *
 * @param domid          its domain id
 * @param name           its name, or "" if it has none any more (a dying domain)
 * @param running        a vCPU is running
 * @param blocked        its vCPUs are blocked
 * @param paused         it is paused
 * @param shutdown       it has shut down (and waits to be destroyed)
 * @param dying          it is being destroyed
 * @param shutdownReason "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset", or "" if not shut down
 * @param currentMemKb   memory it holds now
 */
public record DomainInfo(int domid, String name, boolean running, boolean blocked, boolean paused, boolean shutdown,
                         boolean dying, String shutdownReason, long currentMemKb) {

    /** Reads libxl's JSON of a dominfo, where a field with its default value (0, false) is left out. */
    static DomainInfo fromJson(String name, String json) {
        Map<String, Object> o = Json.object(json);
        boolean shutdown = Json.bool(o, "shutdown");
        Object reason = o.get("shutdown_reason");
        return new DomainInfo((int) Json.number(o, "domid", 0), name == null ? "" : name, Json.bool(o, "running"),
                Json.bool(o, "blocked"), Json.bool(o, "paused"), shutdown, Json.bool(o, "dying"),
                shutdown && reason instanceof String r ? r : "", Json.number(o, "current_memkb", 0));
    }

    /** xl list's state letters: r b p s c d. */
    public String state() {
        boolean crashed = "crash".equals(shutdownReason);
        return (running ? "r" : "-") + (blocked ? "b" : "-") + (paused ? "p" : "-")
                + (shutdown && !crashed ? "s" : "-") + (crashed ? "c" : "-") + (dying ? "d" : "-");
    }
}
