package dev.vos.controlplane.spec;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean": the closest of the allowed words to a misspelt one, if it is close enough to be a typo. */
final class Suggestions {

    /** Edits (insertions, deletions, substitutions) that still count as a typo rather than another word. */
    static final int MAX_DISTANCE = 2;

    private Suggestions() {
    }

    /** The allowed word nearest to {@code word}, if at most {@link #MAX_DISTANCE} edits away; the first on ties. */
    static Optional<String> closest(String word, List<String> allowed) {
        String best = null;
        int bestDistance = MAX_DISTANCE + 1;
        for (String candidate : allowed) {
            int d = distance(word, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Levenshtein distance, ignoring case: {@code memorymb} is a typo of {@code memoryMb}, not another word. */
    static int distance(String a, String b) {
        a = a.toLowerCase(Locale.ROOT);
        b = b.toLowerCase(Locale.ROOT);
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
