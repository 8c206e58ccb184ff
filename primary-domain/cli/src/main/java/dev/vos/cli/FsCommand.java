package dev.vos.cli;

import dev.vos.client.fs.VosFileSystemProvider;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code vos fs}: an operator's look at a storage domain's files, through the same {@code vos://} file system a
 * program uses (so what it shows is what a client sees: confined to the export root, served by the domain).
 * Paths are written {@code DOMAIN:/path}, as scp writes a host's.
 */
@CommandLine.Command(name = "fs", description = "Files of a storage domain, as its clients see them (DOMAIN:/path).",
        subcommands = {FsCommand.Ls.class, FsCommand.Cat.class, FsCommand.Put.class, FsCommand.Get.class,
                FsCommand.Cp.class, FsCommand.Stat.class, FsCommand.Rm.class, FsCommand.Mkdir.class})
final class FsCommand {

    /** A "DOMAIN:/path" argument. */
    record Remote(String domain, String path) {
        static Remote parse(String text) {
            int colon = text.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("'" + text + "' is not DOMAIN:/path (for example storage0:/data)");
            }
            String path = text.substring(colon + 1);
            return new Remote(text.substring(0, colon), path.isEmpty() ? "/" : path);
        }

        @Override
        public String toString() {
            return domain + ":" + path;
        }
    }

    /** Base of the fs commands: opens the domain's file system and turns NIO exceptions into one line each. */
    abstract static class FsAction implements Callable<Integer> {
        @CommandLine.Mixin
        VosCli.StateDirOption state = new VosCli.StateDirOption();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract void run(PrintWriter out) throws IOException;

        Path open(Remote remote) throws IOException {
            FileSystem fs = FileSystems.of(remote.domain(), state.resolve());
            return fs.getPath(remote.path());
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            String name = "vos fs " + spec.name() + ": ";
            try {
                run(out);
                out.flush();
                return 0;
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println(name + e.getMessage());
                return 2;
            } catch (IOException e) {
                spec.commandLine().getErr().println(name + describe(e));
                return 1;
            } finally {
                FileSystems.closeAll();
            }
        }

        private static String describe(IOException e) {
            String file = e instanceof FileSystemException f && f.getFile() != null ? f.getFile() : null;
            String what = switch (e) {
                case NoSuchFileException x -> "no such file or directory";
                case FileAlreadyExistsException x -> x.getReason() != null ? x.getReason() : "already exists";
                case DirectoryNotEmptyException x -> "directory not empty";
                case NotDirectoryException x -> "not a directory";
                case AccessDeniedException x -> "permission denied";
                case FileSystemException x -> x.getReason();
                default -> e.getMessage();
            };
            return file == null ? what : file + ": " + what;
        }
    }

    /** The file systems opened by one command, closed when it ends. */
    static final class FileSystems {
        private static final Map<String, FileSystem> OPEN = new HashMap<>();
        private static final VosFileSystemProvider PROVIDER = new VosFileSystemProvider();

        static FileSystem of(String domain, Path stateDir) throws IOException {
            FileSystem fs = OPEN.get(domain);
            if (fs == null) {
                fs = PROVIDER.newFileSystem(URI.create("vos://" + domain + "/"),
                        Map.of(VosFileSystemProvider.ENV_STATE_DIR, stateDir));
                OPEN.put(domain, fs);
            }
            return fs;
        }

        static void closeAll() {
            for (FileSystem fs : OPEN.values()) {
                try {
                    fs.close();
                } catch (IOException e) {
                    // the command is over either way
                }
            }
            OPEN.clear();
        }
    }

    @CommandLine.Command(name = "ls", description = "List a directory (or show one file): mode, size, modified, name.")
    static final class Ls extends FsAction {
        @Parameters(paramLabel = "DOMAIN:/PATH", description = "for example storage0:/")
        String target;

        @Option(names = "-R", description = "recursively")
        boolean recursive;

        @Override
        void run(PrintWriter out) throws IOException {
            Path path = open(Remote.parse(target));
            if (!Files.isDirectory(path)) {
                out.println(line(path, path));
                return;
            }
            try (Stream<Path> entries = recursive ? Files.walk(path).skip(1) : Files.list(path)) {
                for (Path p : entries.sorted().toList()) {
                    out.println(line(path, p));
                }
            }
        }

        private static String line(Path base, Path p) throws IOException {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            char type = a.isDirectory() ? 'd' : a.isSymbolicLink() ? 'l' : a.isRegularFile() ? '-' : '?';
            String name = base.equals(p) ? p.toString() : base.relativize(p).toString();
            if (a.isSymbolicLink()) {
                name += " -> " + Files.readSymbolicLink(p);
            }
            return String.format("%c%s %10d %s %s", type, PosixFilePermissions.toString(a.permissions()), a.size(),
                    a.lastModifiedTime().toString().replaceFirst("\\.\\d+Z$", "Z"), name);
        }
    }

    @CommandLine.Command(name = "cat", description = "Write a file's bytes to standard output.")
    static final class Cat extends FsAction {
        @Parameters(paramLabel = "DOMAIN:/PATH")
        String target;

        @Override
        void run(PrintWriter out) throws IOException {
            out.flush();
            try (InputStream in = Files.newInputStream(open(Remote.parse(target)))) {
                in.transferTo(System.out);
            }
            System.out.flush();
        }
    }

    @CommandLine.Command(name = "put", description = "Copy a local file into the domain, forced to its disk.")
    static final class Put extends FsAction {
        @Parameters(index = "0", paramLabel = "LOCAL")
        Path local;

        @Parameters(index = "1", paramLabel = "DOMAIN:/PATH")
        String target;

        @Option(names = "--force", description = "replace an existing file")
        boolean replace;

        @Override
        void run(PrintWriter out) throws IOException {
            Path remote = open(Remote.parse(target));
            if (Files.exists(remote) && !replace) {
                throw new FileAlreadyExistsException(remote.toString(), null, "already exists (--force replaces it)");
            }
            try (InputStream in = Files.newInputStream(local);
                 FileChannel channel = FileChannel.open(remote, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream to = Channels.newOutputStream(channel)) {
                long n = in.transferTo(to);
                to.flush();
                channel.force(true);
                out.printf("%s: %d bytes, forced%n", target, n);
            }
        }
    }

    @CommandLine.Command(name = "get", description = "Copy a file out of the domain to a local path.")
    static final class Get extends FsAction {
        @Parameters(index = "0", paramLabel = "DOMAIN:/PATH")
        String source;

        @Parameters(index = "1", paramLabel = "LOCAL")
        Path local;

        @Option(names = "--force", description = "replace an existing local file")
        boolean replace;

        @Override
        void run(PrintWriter out) throws IOException {
            try (InputStream in = Files.newInputStream(open(Remote.parse(source)))) {
                long n = replace ? Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING) : Files.copy(in, local);
                out.printf("%s: %d bytes%n", local, n);
            }
        }
    }

    @CommandLine.Command(name = "cp", description = "Copy a file within a domain (the domain copies it: no byte "
            + "crosses to the client), or from one domain to another.")
    static final class Cp extends FsAction {
        @Parameters(index = "0", paramLabel = "DOMAIN:/FROM")
        String source;

        @Parameters(index = "1", paramLabel = "DOMAIN:/TO")
        String target;

        @Option(names = "--force", description = "replace an existing file")
        boolean replace;

        @Override
        void run(PrintWriter out) throws IOException {
            Path to = replace ? Files.copy(open(Remote.parse(source)), open(Remote.parse(target)),
                    StandardCopyOption.REPLACE_EXISTING) : Files.copy(open(Remote.parse(source)),
                    open(Remote.parse(target)));
            out.printf("%s: %d bytes%n", target, Files.size(to));
        }
    }

    @CommandLine.Command(name = "stat", description = "A file's attributes as a client reads them.")
    static final class Stat extends FsAction {
        @Parameters(paramLabel = "DOMAIN:/PATH")
        String target;

        @Override
        void run(PrintWriter out) throws IOException {
            Map<String, Object> attrs = Files.readAttributes(open(Remote.parse(target)), "unix:*",
                    LinkOption.NOFOLLOW_LINKS);
            new TreeMap<>(attrs).forEach((k, v) -> out.printf("%-16s %s%n", k, v));
        }
    }

    @CommandLine.Command(name = "rm", description = "Delete a file or an empty directory.")
    static final class Rm extends FsAction {
        @Parameters(paramLabel = "DOMAIN:/PATH")
        String target;

        @Override
        void run(PrintWriter out) throws IOException {
            Files.delete(open(Remote.parse(target)));
        }
    }

    @CommandLine.Command(name = "mkdir", description = "Make a directory (and its parents with -p).")
    static final class Mkdir extends FsAction {
        @Parameters(paramLabel = "DOMAIN:/PATH")
        String target;

        @Option(names = "-p", description = "make missing parents too; no error if it exists")
        boolean parents;

        @Override
        void run(PrintWriter out) throws IOException {
            Path path = open(Remote.parse(target));
            if (parents) {
                Files.createDirectories(path);
            } else {
                Files.createDirectory(path);
            }
        }
    }
}
