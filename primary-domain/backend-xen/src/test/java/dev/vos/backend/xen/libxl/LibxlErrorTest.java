package dev.vos.backend.xen.libxl;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import static org.junit.jupiter.api.Assertions.*;

/** The codes vos acts on are named once, in LibxlLayout, and messages name them the same way. */
class LibxlErrorTest {

    @Test
    void everyErrorCodeInTheLayout_isNamedInMessagesByItsCName() throws Exception {
        int checked = 0;
        for (Field f : LibxlLayout.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class && f.getName().startsWith("ERROR_")) {
                int rc = f.getInt(null);
                assertTrue(rc < 0, f.getName() + " = " + rc + ": libxl's errors are negative");
                assertEquals(f.getName() + " (" + rc + ")", LibxlError.name(rc));
                checked++;
            }
        }
        assertTrue(checked >= 6, "only " + checked + " ERROR_ constants in LibxlLayout");
    }

    @Test
    void anUnknownCode_isSaidToBeUnknown_withItsNumber() {
        assertEquals("ERROR_UNKNOWN (-99)", LibxlError.name(-99));
    }
}
