package dev.vos.backend.xen.libxl;

import java.util.Map;
import java.util.function.IntFunction;

/**
 * A {@code DOMAIN_SHUTDOWN} or {@code DOMAIN_DEATH} event, read from {@code libxl_event_to_json}.
 *
 * @param type           what happened
 * @param domid          the domain it happened to
 * @param user           the {@code libxl_ev_user} given to {@code libxl_evenable_domain_death}
 * @param shutdownReason for a shutdown: "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset"; else ""
 */
public record DomainEvent(Type type, int domid, long user, String shutdownReason) {

    /** The event types vos asks for. */
    public enum Type {
        DOMAIN_SHUTDOWN, DOMAIN_DEATH, OTHER
    }

    /**
     * Reads libxl's JSON of an event: {@code {"domid": 3, "domuuid": "...", "for_user": 7,
     * "type.domain_shutdown": {"shutdown_reason": 3}}} (a keyed union is written as {@code "type.KEY"}). In an
     * event the reason is Xen's raw code ({@code uint8_t}), not the enum: {@code reasonName} names it. libxl leaves
     * out every field that has its default value (0, false, empty): domid 0, reason 0 (poweroff).
     */
    static DomainEvent fromJson(String json, IntFunction<String> reasonName) {
        Map<String, Object> o = Json.object(json);
        String type = o.get("type") instanceof String t ? t : "";
        Map<String, Object> body = Map.of();
        for (String key : o.keySet()) {
            if (key.startsWith("type.")) {
                type = key.substring("type.".length());
                body = Json.member(o, key);
            }
        }
        Type t = switch (type) {
            case "domain_shutdown" -> Type.DOMAIN_SHUTDOWN;
            case "domain_death" -> Type.DOMAIN_DEATH;
            default -> Type.OTHER;
        };
        // libxl leaves out a field that has its default value: a shutdown without a reason is code 0, poweroff.
        Object reason = body.getOrDefault("shutdown_reason", o.getOrDefault("shutdown_reason", 0));
        String name = t != Type.DOMAIN_SHUTDOWN ? ""
                : reason instanceof String r ? r : reason instanceof Number n ? reasonName.apply(n.intValue()) : "";
        return new DomainEvent(t, (int) Json.number(o, "domid", 0), Json.number(o, "for_user", 0), name);
    }
}
