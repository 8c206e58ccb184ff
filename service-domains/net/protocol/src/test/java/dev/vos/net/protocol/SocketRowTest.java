package dev.vos.net.protocol;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.*;

/** The line the domain writes is the row the vos command reads; addresses as ss prints them. */
class SocketRowTest {

    @Test
    void aRowSurvivesItsLine() {
        SocketRow row = SocketRow.of("ESTAB", 5, 0, new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080),
                null, 7);
        assertEquals("tcp\tESTAB\t5\t0\t127.0.0.1:8080\t*:*\t7\t0\t0", row.line());
        String[] fields = ("1\t42\t1000\t" + row.line()).split("\t", -1);
        assertEquals(row, SocketRow.parse(fields, 3));
        assertThrows(IllegalArgumentException.class, () -> SocketRow.parse(fields, 2));
        assertThrows(IllegalArgumentException.class,
                () -> SocketRow.parse("sctp\tX\t1\t2\ta\tb\t3\t0\t0".split("\t"), 0));
        SocketRow udp = SocketRow.udp("UNCONN", 0, 0, null, null, 8);
        assertEquals("udp\tUNCONN\t0\t0\t*:*\t*:*\t8\t0\t0", udp.line());
        assertEquals(udp, SocketRow.parse(udp.line().split("\t", -1), 0));
        assertThrows(IllegalArgumentException.class,
                () -> SocketRow.parse("tcp\tX\tone\t2\ta\tb\t3\t0\t0".split("\t"), 0));
    }

    @Test
    void aUnixSocketsRow_namesItsPaths_andNoClientsPathBreaksTheLine() {
        SocketRow row = SocketRow.unix("ESTAB", 3, 0, "/run/vos/a\tb\nc.sock", "", 9, 4242, 4243);
        assertEquals("u_str\tESTAB\t3\t0\t/run/vos/a?b?c.sock\t*\t9\t4242\t4243", row.line());
        assertEquals(row, SocketRow.parse(row.line().split("\t", -1), 0));
        assertThrows(IllegalArgumentException.class, () -> SocketRow.parse("u_str\tESTAB\t3\t0\ta\t*\t9\t4242"
                .split("\t", -1), 0), "a row of the old format, without the peer's inode");
    }

    @Test
    void ipv6AddressesAreCompressedAsRfc5952Says() throws Exception {
        assertEquals("[::1]:80", SocketRow.text(new InetSocketAddress(InetAddress.getByName("::1"), 80)));
        assertEquals("[::]:80", SocketRow.text(new InetSocketAddress(InetAddress.getByName("::"), 80)));
        assertEquals("[fe80::1:2]:1", SocketRow.text(new InetSocketAddress(InetAddress.getByName("fe80::1:2"), 1)));
        assertEquals("[2001:db8:0:1:1:1:1:1]:1",
                SocketRow.text(new InetSocketAddress(InetAddress.getByName("2001:db8:0:1:1:1:1:1"), 1)),
                "a single zero group is not ::");
        assertEquals("[2001:db8::1:0:0:1]:1",
                SocketRow.text(new InetSocketAddress(InetAddress.getByName("2001:db8:0:0:1:0:0:1"), 1)),
                "the first of two equal runs");
    }
}
