//! File types: what a generated or uploaded file is (description, tags, magic, header).

/// A file type: description, tag, extra type tags, extension, magic, leading bytes.
pub(crate) struct FileType {
    pub(crate) description: &'static str,
    pub(crate) tag: &'static str,
    pub(crate) tags: &'static [&'static str],
    pub(crate) extension: &'static str,
    pub(crate) magic: &'static str,
    pub(crate) header: &'static [u8],
    pub(crate) trid: &'static str,
}

/// The generated file types.
pub(crate) const FILE_TYPES: &[FileType] = &[
    FileType {
        description: "Win32 EXE",
        tag: "peexe",
        tags: &["executable", "windows", "win32", "pe", "peexe"],
        extension: "exe",
        magic: "PE32 executable (GUI) Intel 80386, for MS Windows",
        header: b"MZ\x90\x00\x03\x00\x00\x00",
        trid: "Win32 Executable (generic)",
    },
    FileType {
        description: "Win32 DLL",
        tag: "pedll",
        tags: &["executable", "windows", "win32", "pe", "pedll"],
        extension: "dll",
        magic: "PE32 executable (DLL) (GUI) Intel 80386, for MS Windows",
        header: b"MZ\x90\x00\x03\x00\x00\x00",
        trid: "Win32 Dynamic Link Library (generic)",
    },
    FileType {
        description: "ELF",
        tag: "elf",
        tags: &["executable", "linux", "elf"],
        extension: "elf",
        magic: "ELF 64-bit LSB executable, x86-64, version 1 (SYSV)",
        header: b"\x7fELF\x02\x01\x01\x00",
        trid: "ELF Executable and Linkable format (Linux)",
    },
    FileType {
        description: "PDF",
        tag: "pdf",
        tags: &["pdf"],
        extension: "pdf",
        magic: "PDF document, version 1.7",
        header: b"%PDF-1.7\n",
        trid: "Adobe Portable Document Format",
    },
    FileType {
        description: "ZIP",
        tag: "zip",
        tags: &["compressed", "zip"],
        extension: "zip",
        magic: "Zip archive data, at least v2.0 to extract",
        header: b"PK\x03\x04\x14\x00",
        trid: "ZIP compressed archive",
    },
    FileType {
        description: "MS Word Document",
        tag: "doc",
        tags: &["msoffice", "doc"],
        extension: "doc",
        magic: "Composite Document File V2 Document",
        header: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        trid: "Microsoft Word document",
    },
    FileType {
        description: "JavaScript",
        tag: "javascript",
        tags: &["text", "javascript"],
        extension: "js",
        magic: "ASCII text, with very long lines",
        header: b"var _0x",
        trid: "JavaScript source",
    },
    FileType {
        description: "Powershell",
        tag: "powershell",
        tags: &["text", "powershell"],
        extension: "ps1",
        magic: "ASCII text, with CRLF line terminators",
        header: b"$s = New-Object ",
        trid: "PowerShell script",
    },
    FileType {
        description: "Android",
        tag: "android",
        tags: &["android", "apk", "zip"],
        extension: "apk",
        magic: "Zip archive data, at least v2.0 to extract",
        header: b"PK\x03\x04\x0a\x00",
        trid: "Android Package",
    },
    FileType {
        description: "Mach-O",
        tag: "macho",
        tags: &["executable", "mac", "macho"],
        extension: "macho",
        magic: "Mach-O 64-bit x86_64 executable",
        header: b"\xcf\xfa\xed\xfe\x07\x00\x00\x01",
        trid: "Mach-O 64-bit executable",
    },
];

/// The file type whose header starts `bytes` (text when none matches).
pub(crate) fn sniff(bytes: &[u8]) -> &'static FileType {
    FILE_TYPES
        .iter()
        .find(|t| {
            t.tag != "android"
                && t.tag != "pedll"
                && bytes.starts_with(&t.header[..t.header.len().min(4)])
        })
        .unwrap_or(&TEXT_TYPE)
}

/// Plain text (what `sniff` answers when no header matches).
pub(crate) const TEXT_TYPE: FileType = FileType {
    description: "Text",
    tag: "text",
    tags: &["text"],
    extension: "txt",
    magic: "ASCII text",
    header: b"",
    trid: "Text - UTF-8 encoded",
};
