package dev.vos.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;

import java.util.regex.Pattern;

/**
 * Imports the main classes of vos's modules only: not test classes ({@code target/test-classes}, this module's
 * own included) and not test jars ({@code *-tests.jar}, such as the client's fixtures, which run a control plane
 * and so may use anything).
 */
public final class VosMainClasses implements ImportOption {

    private static final Pattern TEST_JAR = Pattern.compile(".*-tests\\.jar!/.*");

    @Override
    public boolean includes(Location location) {
        return !location.contains("/test-classes/") && !location.matches(TEST_JAR);
    }
}
