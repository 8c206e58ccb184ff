package dev.vos.perf.symbols;

/**
 * The parts of an ELF64 little-endian file the symboliser reads ({@code elf.h}; System V gABI): the file header,
 * program headers (to map a file offset to a virtual address) and section headers (to find {@code .symtab} and
 * {@code .dynsym} and their string tables).
 */
final class ElfDescriptor {

    /** {@code e_ident[EI_CLASS]}: 2 = ELFCLASS64. */
    static final int EI_CLASS_OFFSET = 4;
    /** {@code e_ident[EI_DATA]}: 1 = little endian. */
    static final int EI_DATA_OFFSET = 5;
    /** {@code Elf64_Off e_phoff}. */
    static final int E_PHOFF_OFFSET = 0x20;
    /** {@code Elf64_Off e_shoff}. */
    static final int E_SHOFF_OFFSET = 0x28;
    /** {@code Elf64_Half e_phentsize}. */
    static final int E_PHENTSIZE_OFFSET = 0x36;
    /** {@code Elf64_Half e_phnum}. */
    static final int E_PHNUM_OFFSET = 0x38;
    /** {@code Elf64_Half e_shentsize}. */
    static final int E_SHENTSIZE_OFFSET = 0x3A;
    /** {@code Elf64_Half e_shnum}. */
    static final int E_SHNUM_OFFSET = 0x3C;
    /** {@code Elf64_Half e_shstrndx}: the section holding the section names. */
    static final int E_SHSTRNDX_OFFSET = 0x3E;
    /** Bytes of the ELF64 header. */
    static final int EHDR_LENGTH = 0x40;

    /** {@code Elf64_Phdr.p_type}. */
    static final int P_TYPE_OFFSET = 0;
    /** {@code Elf64_Phdr.p_offset}. */
    static final int P_OFFSET_OFFSET = 8;
    /** {@code Elf64_Phdr.p_vaddr}. */
    static final int P_VADDR_OFFSET = 16;
    /** {@code Elf64_Phdr.p_filesz}. */
    static final int P_FILESZ_OFFSET = 32;
    /** {@code PT_LOAD}. */
    static final int PT_LOAD = 1;

    /** {@code Elf64_Shdr.sh_name}: offset of the section's name in the section-name string table. */
    static final int SH_NAME_OFFSET = 0;
    /** {@code Elf64_Shdr.sh_type}. */
    static final int SH_TYPE_OFFSET = 4;
    /** {@code Elf64_Shdr.sh_offset}. */
    static final int SH_OFFSET_OFFSET = 24;
    /** {@code Elf64_Shdr.sh_size}. */
    static final int SH_SIZE_OFFSET = 32;
    /** {@code Elf64_Shdr.sh_link}: for a symbol table, the index of its string table. */
    static final int SH_LINK_OFFSET = 40;
    /** {@code Elf64_Shdr.sh_entsize}. */
    static final int SH_ENTSIZE_OFFSET = 56;
    /** {@code SHT_SYMTAB}: the full symbol table (often stripped). */
    static final int SHT_SYMTAB = 2;
    /** {@code SHT_DYNSYM}: the dynamic symbols (always there in a shared object). */
    static final int SHT_DYNSYM = 11;
    /** {@code SHT_NOTE}: notes, among them the build id. */
    static final int SHT_NOTE = 7;
    /** {@code SHT_NOBITS}: a section with no bytes in the file (what a debug file has for code). */
    static final int SHT_NOBITS = 8;
    /** {@code NT_GNU_BUILD_ID}: the note whose descriptor is the build id (owner "GNU"). */
    static final int NT_GNU_BUILD_ID = 3;
    /** The section naming a separate debug file: the file's name, NUL, padding to 4, CRC-32. */
    static final String GNU_DEBUGLINK = ".gnu_debuglink";

    /** {@code Elf64_Sym.st_name}. */
    static final int ST_NAME_OFFSET = 0;
    /** {@code Elf64_Sym.st_info}: type in the low 4 bits. */
    static final int ST_INFO_OFFSET = 4;
    /** {@code Elf64_Sym.st_shndx}: 0 = undefined (an import, not here). */
    static final int ST_SHNDX_OFFSET = 6;
    /** {@code Elf64_Sym.st_value}. */
    static final int ST_VALUE_OFFSET = 8;
    /** {@code Elf64_Sym.st_size}. */
    static final int ST_SIZE_OFFSET = 16;
    /** Bytes per {@code Elf64_Sym}. */
    static final int SYM_LENGTH = 24;
    /** {@code STT_FUNC}. */
    static final int STT_FUNC = 2;
    /** {@code STT_GNU_IFUNC}: an indirect function (memcpy and friends in glibc). */
    static final int STT_GNU_IFUNC = 10;

    private ElfDescriptor() {
    }
}
