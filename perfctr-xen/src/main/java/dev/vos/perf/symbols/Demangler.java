package dev.vos.perf.symbols;

import java.util.ArrayList;
import java.util.List;

/**
 * Names of C++ functions (Itanium ABI, what g++ and clang emit) without their parameter lists:
 * {@code _ZN6Thread8call_runEv} becomes {@code Thread::call_run}, {@code _ZL19thread_native_entryP6Thread}
 * becomes {@code thread_native_entry}. Enough to read a flame graph of a JVM's own code; anything this does not
 * follow (operators, most substitutions) is left mangled rather than guessed.
 */
public final class Demangler {

    private Demangler() {
    }

    /** The demangled qualified name, or {@code symbol} unchanged when it is not one this reads. */
    public static String demangle(String symbol) {
        if (!symbol.startsWith("_Z")) {
            return symbol;
        }
        try {
            String name = new Parser(symbol).name();
            return name == null ? symbol : name;
        } catch (RuntimeException e) {
            return symbol;
        }
    }

    /** A cursor over one mangled name. */
    private static final class Parser {
        private final String s;
        private int i = 2;

        Parser(String s) {
            this.s = s;
        }

        String name() {
            if (peek() == 'L') {
                i++; // internal linkage
            }
            if (peek() == 'N') {
                i++;
                while ("rVKRO".indexOf(peek()) >= 0) {
                    i++; // cv- and ref-qualifiers of a member function
                }
                List<String> parts = new ArrayList<>();
                while (peek() != 'E') {
                    String part = component(parts);
                    if (part == null) {
                        return null;
                    }
                    if (!part.isEmpty()) {
                        parts.add(part);
                    }
                }
                return String.join("::", parts);
            }
            if (s.startsWith("St", i)) {
                i += 2;
                String n = sourceName();
                return n == null ? null : "std::" + n;
            }
            return Character.isDigit(peek()) ? sourceName() : null;
        }

        /** One component of a nested name; "" for template arguments (skipped); null when unreadable. */
        private String component(List<String> parts) {
            char c = peek();
            if (Character.isDigit(c)) {
                return sourceName();
            }
            if (c == 'I') {
                skipTemplateArgs();
                return "";
            }
            if (c == 'C' || c == 'D') { // constructor, destructor: named after the class
                char kind = c;
                i += 2;
                String cls = parts.isEmpty() ? "?" : parts.getLast();
                return kind == 'C' ? cls : "~" + cls;
            }
            if (s.startsWith("St", i)) {
                i += 2;
                return "std";
            }
            return null; // substitutions, operators, ...: not followed
        }

        private String sourceName() {
            int start = i;
            while (Character.isDigit(peek())) {
                i++;
            }
            int n = Integer.parseInt(s.substring(start, i));
            String name = s.substring(i, i + n);
            i += n;
            return name;
        }

        private void skipTemplateArgs() {
            int depth = 0;
            do {
                char c = s.charAt(i);
                if (c == 'I') {
                    depth++;
                    i++;
                } else if (c == 'E') {
                    depth--;
                    i++;
                } else if (Character.isDigit(c)) {
                    sourceName();
                } else {
                    i++;
                }
            } while (depth > 0);
        }

        private char peek() {
            return i < s.length() ? s.charAt(i) : '\0';
        }
    }
}
