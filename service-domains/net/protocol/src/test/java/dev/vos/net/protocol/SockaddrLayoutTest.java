package dev.vos.net.protocol;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.*;

/** The sockaddr layout is Linux's, byte for byte, and reads back what it wrote. */
class SockaddrLayoutTest {

    @Test
    void anIpv4Address_isASockaddrIn_withThePortInNetworkOrder() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(SockaddrLayout.MAX_BYTES);
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0x1F90);
            assertEquals(16, SockaddrLayout.encode(address, s));
            assertArrayEquals(new byte[] {2, 0, 0x1F, (byte) 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0},
                    s.asSlice(0, 16).toArray(JAVA_BYTE));
            assertEquals(address, SockaddrLayout.decode(s, 16));
        }
    }

    @Test
    void anIpv6Address_isASockaddrIn6() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(SockaddrLayout.MAX_BYTES);
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("::1"), 443);
            assertEquals(28, SockaddrLayout.encode(address, s));
            assertEquals(10, s.get(JAVA_BYTE, 0));
            assertEquals(1, s.get(JAVA_BYTE, SockaddrLayout.IN6_ADDR_OFFSET + 15));
            InetSocketAddress back = SockaddrLayout.decode(s, 28);
            assertEquals(address, back);
            assertEquals("0:0:0:0:0:0:0:1", back.getAddress().getHostAddress(), "no scope was made up");
        }
    }

    @Test
    void bytesThatAreNoSockaddr_decodeToNull() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(SockaddrLayout.MAX_BYTES);
            assertNull(SockaddrLayout.decode(s, 28), "family 0");
            s.set(JAVA_BYTE, 0, (byte) 2);
            assertNull(SockaddrLayout.decode(s, 15), "too short for sockaddr_in");
            s.set(JAVA_BYTE, 0, (byte) 10);
            assertNull(SockaddrLayout.decode(s, 27), "too short for sockaddr_in6");
            assertNull(SockaddrLayout.decode(s, 1), "too short for a family");
            assertThrows(IllegalArgumentException.class, () -> SockaddrLayout.encode(
                    InetSocketAddress.createUnresolved("example.invalid", 1), s));
        }
    }

    @Test
    void aUnixAddress_isASockaddrUn_withItsPathNulTerminated() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(SockaddrLayout.MAX_BYTES);
            UnixDomainSocketAddress address = UnixDomainSocketAddress.of("/run/a.sock");
            assertEquals(2 + 11 + 1, SockaddrLayout.encode(address, s));
            assertArrayEquals(new byte[] {1, 0, '/', 'r', 'u', 'n', '/', 'a', '.', 's', 'o', 'c', 'k', 0},
                    s.asSlice(0, 14).toArray(JAVA_BYTE));
            assertEquals(address, SockaddrLayout.decodeUnix(s, 14));
            assertEquals(address, SockaddrLayout.decodeUnix(s, SockaddrLayout.UN_BYTES), "the kernel's full length");
            assertNull(SockaddrLayout.decode(s, 28), "no IP address");
            assertEquals(2, SockaddrLayout.encode(UnixDomainSocketAddress.of(""), s), "unnamed: the family alone");
            assertEquals(UnixDomainSocketAddress.of(""), SockaddrLayout.decodeUnix(s, 2));
        }
    }

    @Test
    void unixBytesThatAreNoPath_decodeToNull_andPathsThatDoNotFit_areRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(SockaddrLayout.MAX_BYTES + 8);
            s.set(JAVA_BYTE, 0, (byte) 1);
            assertNull(SockaddrLayout.decodeUnix(s, 12), "a NUL first: the abstract namespace");
            assertNull(SockaddrLayout.decodeUnix(s, 1), "too short for a family");
            assertNull(SockaddrLayout.decodeUnix(s, SockaddrLayout.UN_BYTES + 1), "longer than sockaddr_un");
            s.set(JAVA_BYTE, 0, (byte) 2);
            assertNull(SockaddrLayout.decodeUnix(s, 16), "AF_INET");
            assertThrows(IllegalArgumentException.class, () -> SockaddrLayout.encode(
                    UnixDomainSocketAddress.of("/" + "x".repeat(SockaddrLayout.UN_PATH_BYTES - 1)), s));
            assertEquals(SockaddrLayout.UN_BYTES, SockaddrLayout.encode(
                    UnixDomainSocketAddress.of("/" + "x".repeat(SockaddrLayout.UN_PATH_BYTES - 2)), s));
        }
    }
}
