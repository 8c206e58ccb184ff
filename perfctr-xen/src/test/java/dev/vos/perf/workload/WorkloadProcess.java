package dev.vos.perf.workload;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@link Workload} child JVM, driven over its stdin and stdout. */
public final class WorkloadProcess implements AutoCloseable {

    private final Process process;
    private final BufferedReader out;
    private final PrintWriter in;
    private final int pid;

    private WorkloadProcess(Process process) throws IOException {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream()));
        this.in = new PrintWriter(process.getOutputStream(), true);
        String ready = out.readLine();
        if (ready == null || !ready.startsWith("ready ")) {
            process.destroyForcibly();
            throw new IOException("workload did not start: " + ready);
        }
        this.pid = Integer.parseInt(ready.substring(6).strip());
    }

    /** Starts a workload JVM with {@code args} (see {@link Workload}) and extra JVM options; waits until ready. */
    public static WorkloadProcess start(List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xss512k");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Workload.class.getName());
        cmd.addAll(List.of(args));
        return new WorkloadProcess(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    public int pid() {
        return pid;
    }

    public Process process() {
        return process;
    }

    /** Sends a command line. */
    public void send(String command) {
        in.println(command);
    }

    /** Waits for {@code n} lines starting with "done". */
    public void awaitDone(int n) throws IOException {
        for (int seen = 0; seen < n; ) {
            String line = out.readLine();
            if (line == null) {
                throw new IOException("workload ended after " + seen + " of " + n + " threads finished");
            }
            if (line.startsWith("done")) {
                seen++;
            }
        }
    }

    /** The "done" lines printed since the last call, without waiting for more. */
    public int doneSoFar() throws IOException {
        int n = 0;
        while (out.ready()) {
            String line = out.readLine();
            if (line == null) {
                break;
            }
            if (line.startsWith("done")) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() throws InterruptedException {
        in.println("exit");
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
