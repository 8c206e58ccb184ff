import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * TCP urgent data with plain {@code java.net} sockets, runnable as it stands ({@code java UrgentData.java}, see the
 * README). A client sends "ab", one urgent byte, then "cd", twice: to a socket that drops urgent data from the stream
 * (the default), then to one that reads it in place ({@code setOOBInline}). Both ends are net0's when the command line
 * installs vos's socket impls (the client jar as an agent, {@code -Dvos.net.sockets=true}). Prints what each server
 * socket read, then exits.
 */
public class UrgentData {

    public static void main(String[] args) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 4, InetAddress.getByName("127.0.0.1"))) {
            for (boolean inline : new boolean[] {false, true}) {
                try (Socket client = new Socket(listener.getInetAddress(), listener.getLocalPort());
                     Socket server = listener.accept()) {
                    server.setOOBInline(inline); // before the client writes: this thread does both, in turn
                    OutputStream out = client.getOutputStream();
                    out.write("ab".getBytes(StandardCharsets.US_ASCII));
                    client.sendUrgentData('!');
                    out.write("cd".getBytes(StandardCharsets.US_ASCII));
                    client.shutdownOutput();
                    String got = new String(server.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    System.out.println((inline ? "inline" : "not inline (the default)") + ", the server read: " + got);
                }
            }
        }
    }
}
