/**
 * Classes that break the rules of {@code dev.vos.architecture.VosRules} on purpose, so that {@code RulesCanFailTest}
 * can show each rule failing. Test classes only: the architecture test never imports them as vos's own code. The
 * ones that must sit in a real module's package to break its rule live in that package's {@code archviolation}
 * subpackage.
 */
package dev.vos.archviolation;
