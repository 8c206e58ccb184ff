package dev.vos.cli;

import dev.vos.client.fs.mount.Mount;
import dev.vos.client.fs.mount.MountPoints;
import dev.vos.client.fs.mount.MountTable;
import dev.vos.client.fs.mount.MountTableException;
import picocli.CommandLine;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code vos mounts}: a mount table checked before a JVM is started with it (a JVM with a bad table fails on its
 * first path), and the host's side of its mounts made: each prefix a directory holding one README.
 */
@CommandLine.Command(name = "mounts", description = "Check a mount table; prepare its mount points on this host.",
        subcommands = {MountsCommand.Check.class, MountsCommand.Prepare.class})
final class MountsCommand {

    private static MountTable read(Path file, PrintWriter err) throws IOException {
        try {
            return MountTable.parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8), false);
        } catch (MountTableException e) {
            e.problems().forEach(err::println);
            return null;
        }
    }

    @CommandLine.Command(name = "check", description = "Read TABLE as a JVM would; print its mounts or every problem.")
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "TABLE", description = "the mount table's file")
        Path file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            MountTable table = read(file, spec.commandLine().getErr());
            if (table == null) {
                return 1;
            }
            for (Mount m : table.mounts()) {
                spec.commandLine().getOut().println(m);
            }
            return 0;
        }
    }

    @CommandLine.Command(name = "prepare", description = "Make each prefix of TABLE a directory holding one README"
            + " that says a domain serves it (what java.io.File and a shell see).")
    static final class Prepare implements Callable<Integer> {
        @Parameters(paramLabel = "TABLE", description = "the mount table's file")
        Path file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintWriter err = spec.commandLine().getErr();
            MountTable table = read(file, err);
            if (table == null) {
                return 1;
            }
            int failed = 0;
            for (Mount m : table.mounts()) {
                try {
                    spec.commandLine().getOut().println(MountPoints.prepare(m, Path.of(m.prefix())));
                } catch (IOException e) {
                    err.println("vos mounts prepare: " + m.prefix() + ": " + e);
                    failed++;
                }
            }
            return failed == 0 ? 0 : 1;
        }
    }
}
