package dev.vos.client.fs.mount;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.function.Function;

/** A directory stream whose entries are named as the program's paths: a host stream's, or a domain's. */
final class MountedDirectoryStream implements DirectoryStream<Path> {

    private final DirectoryStream<Path> served;
    private final Function<Path, Path> name;
    private final MountedFileSystem fs;

    MountedDirectoryStream(DirectoryStream<Path> served, Function<Path, Path> name, MountedFileSystem fs) {
        this.served = served;
        this.name = name;
        this.fs = fs;
    }

    @Override
    public Iterator<Path> iterator() {
        Iterator<Path> entries = served.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return entries.hasNext();
            }

            @Override
            public Path next() {
                return new MountedPath(fs, name.apply(entries.next()));
            }
        };
    }

    @Override
    public void close() throws IOException {
        served.close();
    }
}
