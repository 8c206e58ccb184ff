package dev.vos.client.fs.mount;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MountTableTest {

    @Test
    void parse_readsMountsCommentsAndOptions() throws Exception {
        MountTable table = MountTable.parse("mounts", """
                # the data of this host
                /srv/data    storage0:/

                /srv/logs    storage1:/logs   stateDir=/run/vos   # a comment after the fields
                """, false);
        assertEquals(List.of(new Mount("/srv/data", "storage0", "/", null, null, 2),
                new Mount("/srv/logs", "storage1", "/logs", "/run/vos", null, 4)), table.mounts());
    }

    @Test
    void parse_inline_entriesSeparatedBySemicolons() throws Exception {
        MountTable table = MountTable.parse("-Dvos.mounts", "/srv/data storage0:/; /a/b storage0:/b", true);
        assertEquals(2, table.mounts().size());
        assertEquals("/a/b storage0:/b", table.mounts().get(1).toString());
    }

    @Test
    void parse_reportsEveryProblem_asFileLineColumn() {
        MountTableException e = assertThrows(MountTableException.class, () -> MountTable.parse("/etc/vos/mounts", """
                /srv/data storage0:/
                srv/x storage0:/
                /srv/y Storage0:/
                /srv/z storage0:rel
                /srv/data/inner storage0:/inner
                /srv/w storage0:/ color=blue
                /srv/v
                /srv/u/ storage0:/a/../b
                /srv/data storage0:/
                /srv/t storage0:/ stateDir=/elsewhere
                """, false));
        assertEquals(List.of(
                "/etc/vos/mounts:2:1: prefix 'srv/x': not absolute (it must start with '/')",
                "/etc/vos/mounts:3:8: domain name 'Storage0': a lower-case letter, then up to 30 lower-case letters,"
                        + " digits or '-'",
                "/etc/vos/mounts:4:17: directory 'rel' in storage0: not absolute (it must start with '/')",
                "/etc/vos/mounts:5:1: prefix /srv/data/inner and /srv/data (line 1) nest: a path must have one mount",
                "/etc/vos/mounts:6:19: unknown option 'color': the options are stateDir=PATH and socket=PATH",
                "/etc/vos/mounts:7:7: expected DOMAIN:DIRECTORY after the prefix, like storage0:/",
                "/etc/vos/mounts:8:1: prefix '/srv/u/': ends with '/'",
                "/etc/vos/mounts:8:18: directory '/a/../b' in storage0: has a '..' name (write the path it stands"
                        + " for)",
                "/etc/vos/mounts:9:1: prefix /srv/data is mounted already on line 1",
                "/etc/vos/mounts:10:1: domain storage0 is reached differently on line 1: every mount of a domain names"
                        + " the same stateDir or socket"), e.problems());
    }

    @Test
    void parse_refusesTheHostsRoot() {
        MountTableException e = assertThrows(MountTableException.class,
                () -> MountTable.parse("t", "/ storage0:/", false));
        assertEquals(List.of("t:1:1: prefix '/': the host's root cannot be a mount"), e.problems());
    }

    @Test
    void mount_coversItsPrefixAndBeneath_notANeighbourWithTheSameStart() {
        Mount m = new Mount("/srv/data", "storage0", "/sub", null, null, 1);
        assertEquals("/sub", m.domainPath("/srv/data"));
        assertEquals("/sub/a/b", m.domainPath("/srv/data/a/b"));
        assertEquals(false, m.covers("/srv/database"));
        assertEquals(true, m.covers("/srv/data/x"));
        assertEquals("/srv/data/a", m.hostPath("/sub/a"));
        assertEquals("/srv/data", m.hostPath("/sub"));
        assertNull(m.hostPath("/subway"));
        assertNull(m.hostPath("/other"));
    }

    /** The text a program gave is used as a path's own only when the platform would not change it. */
    @Test
    void givenText_isTakenAsItIs_onlyWhenAbsoluteAndNormal() {
        for (String normal : List.of("/", "/srv", "/srv/data/a.txt", "/srv/data/a.", "/srv/da.ta/x")) {
            assertEquals(true, MountedFileSystemProvider.isAbsoluteAndNormal(normal), normal);
        }
        for (String other : List.of("", "srv/data", "//srv", "/srv//data", "/srv/data/", "/srv/./data",
                "/srv/../data", "/srv/data/..", "/srv/.hidden")) {
            assertEquals(false, MountedFileSystemProvider.isAbsoluteAndNormal(other), other);
        }
    }
}
