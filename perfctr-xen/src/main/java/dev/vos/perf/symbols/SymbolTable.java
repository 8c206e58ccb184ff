package dev.vos.perf.symbols;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/** Address ranges and their names, sorted, for binary search. Immutable. */
public final class SymbolTable {

    /** A symbol: [start, start + size) is name; size 0 means "up to the next symbol". */
    public record Symbol(long start, long size, String name) {
    }

    /** A table with nothing in it. */
    public static final SymbolTable EMPTY = new SymbolTable(List.of());

    private final long[] starts;
    private final long[] sizes;
    private final String[] names;

    public SymbolTable(List<Symbol> symbols) {
        // Aliases share a start (glibc: getpid, __getpid): keep one, the plainest, so a lookup is deterministic.
        Symbol[] all = symbols.toArray(new Symbol[0]);
        Arrays.sort(all, Comparator.comparingLong(Symbol::start).thenComparingInt(SymbolTable::underscores)
                .thenComparingInt(x -> x.name().length()).thenComparing(Symbol::name));
        Symbol[] s = Arrays.stream(all).filter(new java.util.function.Predicate<Symbol>() {
            private long last = Long.MIN_VALUE;
            private boolean first = true;

            public boolean test(Symbol x) {
                boolean keep = first || x.start() != last;
                first = false;
                last = x.start();
                return keep;
            }
        }).toArray(Symbol[]::new);
        starts = new long[s.length];
        sizes = new long[s.length];
        names = new String[s.length];
        for (int i = 0; i < s.length; i++) {
            starts[i] = s[i].start();
            sizes[i] = s[i].size();
            names[i] = s[i].name();
        }
    }

    private static int underscores(Symbol s) {
        int n = 0;
        while (n < s.name().length() && s.name().charAt(n) == '_') {
            n++;
        }
        return n;
    }

    /** The name covering {@code address}, or null. */
    public String lookup(long address) {
        int i = indexOf(address);
        return i < 0 ? null : names[i];
    }

    /** The symbol covering {@code address} (for its start, so the offset into it), or null. */
    public Symbol symbolAt(long address) {
        int i = indexOf(address);
        return i < 0 ? null : new Symbol(starts[i], sizes[i], names[i]);
    }

    /** The symbol named {@code name} (aliases dropped: the plainest of a start is kept), or null. */
    public Symbol find(String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return new Symbol(starts[i], sizes[i], names[i]);
            }
        }
        return null;
    }

    private int indexOf(long address) {
        int i = Arrays.binarySearch(starts, address);
        if (i < 0) {
            i = -i - 2; // the last start below address
        }
        if (i < 0) {
            return -1;
        }
        if (sizes[i] == 0) {
            return i + 1 < starts.length || address - starts[i] < 4096 ? i : -1;
        }
        return address < starts[i] + sizes[i] ? i : -1;
    }

    /** Every symbol held, by address. */
    public List<Symbol> symbols() {
        List<Symbol> out = new ArrayList<>(starts.length);
        for (int i = 0; i < starts.length; i++) {
            out.add(new Symbol(starts[i], sizes[i], names[i]));
        }
        return out;
    }

    /** Symbols held. */
    public int size() {
        return starts.length;
    }
}
