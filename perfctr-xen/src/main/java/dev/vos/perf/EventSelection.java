package dev.vos.perf;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.function.UnaryOperator;

/**
 * The events to count and how they are grouped, as {@code perf stat -e} takes them: a comma-separated list, given
 * once or in several {@code -e}, where {@code {a,b}} makes a group that the PMU schedules all at once (a group may
 * carry modifiers for all its members: {@code {cycles,instructions}:u}).
 *
 * <p>Events outside braces are independent, as in perf. The software ones are still read together, as one group
 * (they never share a PMU, so grouping them changes no count and saves a read per thread); each hardware one is a
 * group of its own, so the PMU multiplexes them one by one as perf's would.
 *
 * @param events every event, in the order given (the order of every output)
 * @param groups indices into {@code events}; each inner list is opened as one group, its first event the leader
 */
public record EventSelection(List<EventSpec> events, List<List<Integer>> groups) {

    public EventSelection {
        events = List.copyOf(events);
        groups = groups.stream().map(List::copyOf).toList();
    }

    /** The named events, grouped as events outside braces are. */
    public static EventSelection of(List<PerfEvent> events) {
        return ungrouped(events.stream().map(EventSpec::of).toList());
    }

    /** Events outside braces: the software ones as one group, each hardware one alone. */
    public static EventSelection ungrouped(List<EventSpec> events) {
        List<List<Integer>> groups = new ArrayList<>();
        List<Integer> software = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).isHardware()) {
                groups.add(List.of(i));
            } else {
                software.add(i);
            }
        }
        if (!software.isEmpty()) {
            groups.addFirst(software);
        }
        return new EventSelection(events, groups);
    }

    /**
     * Parses {@code -e} arguments: {@code "task-clock,cs"}, {@code "{cycles,instructions}:u,cs"}, ...
     *
     * @throws IllegalArgumentException naming the bad event or the unbalanced brace
     */
    public static EventSelection parse(List<String> arguments) {
        List<EventSpec> events = new ArrayList<>();
        List<List<Integer>> explicit = new ArrayList<>();
        List<Integer> loose = new ArrayList<>();
        for (String arg : arguments) {
            for (String item : splitTopLevel(arg)) {
                if (item.startsWith("{")) {
                    int close = item.indexOf('}');
                    String mods = item.substring(close + 1);
                    if (!mods.isEmpty() && !mods.startsWith(":")) {
                        throw new IllegalArgumentException("'" + item + "': expected ':' and modifiers after '}'");
                    }
                    List<Integer> group = new ArrayList<>();
                    for (String member : item.substring(1, close).split(",")) {
                        if (member.isBlank()) {
                            throw new IllegalArgumentException("'" + item + "': empty event in the group");
                        }
                        String m = member.strip();
                        group.add(events.size());
                        events.add(EventSpec.parse(m.indexOf(':') < 0 && !mods.isEmpty() ? m + mods : m));
                    }
                    explicit.add(group);
                } else {
                    loose.add(events.size());
                    events.add(EventSpec.parse(item));
                }
            }
        }
        if (events.isEmpty()) {
            throw new IllegalArgumentException("no events given");
        }
        List<List<Integer>> groups = new ArrayList<>(explicit);
        List<Integer> software = new ArrayList<>();
        for (int i : loose) {
            if (events.get(i).isHardware()) {
                groups.add(List.of(i));
            } else {
                software.add(i);
            }
        }
        if (!software.isEmpty()) {
            groups.addFirst(software);
        }
        return new EventSelection(events, groups);
    }

    /** Splits on the commas that are not inside braces; checks the braces balance. */
    static List<String> splitTopLevel(String arg) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < arg.length(); i++) {
            char c = arg.charAt(i);
            if (c == '{') {
                if (depth++ > 0) {
                    throw new IllegalArgumentException("'" + arg + "': groups do not nest");
                }
            } else if (c == '}') {
                if (--depth < 0) {
                    throw new IllegalArgumentException("'" + arg + "': '}' without '{'");
                }
            } else if (c == ',' && depth == 0) {
                out.add(arg.substring(start, i).strip());
                start = i + 1;
            }
        }
        if (depth != 0) {
            throw new IllegalArgumentException("'" + arg + "': '{' without '}'");
        }
        out.add(arg.substring(start).strip());
        out.removeIf(String::isEmpty);
        return out;
    }

    /** The events of group {@code g}, leader first. */
    public List<EventSpec> group(int g) {
        return groups.get(g).stream().map(events::get).toList();
    }

    /**
     * Only the events {@code keep} accepts (by index), in the same groups; a group left empty is dropped, and a group
     * whose leader went is led by its next member.
     */
    public EventSelection retain(IntPredicate keep) {
        List<EventSpec> kept = new ArrayList<>();
        int[] newIndex = new int[events.size()];
        for (int i = 0; i < events.size(); i++) {
            newIndex[i] = keep.test(i) ? kept.size() : -1;
            if (newIndex[i] >= 0) {
                kept.add(events.get(i));
            }
        }
        List<List<Integer>> g = new ArrayList<>();
        for (List<Integer> group : groups) {
            List<Integer> members = group.stream().filter(i -> newIndex[i] >= 0).map(i -> newIndex[i]).toList();
            if (!members.isEmpty()) {
                g.add(members);
            }
        }
        return new EventSelection(kept, g);
    }

    /** Every event changed by {@code f} (for instance {@link EventSpec#userOnly}), in the same groups. */
    public EventSelection map(UnaryOperator<EventSpec> f) {
        return new EventSelection(events.stream().map(f).toList(), groups);
    }
}
