// Rules for the demo: what a first training exercise looks for.
rule credentials : credentials {
    meta:
        description = "a password written down in a file"
    strings:
        $p = "password" nocase
    condition:
        $p
}
rule png_disguised {
    meta:
        description = "a PNG image whose name does not say so"
    condition:
        uint32be(0) == 0x89504E47 and not (extension == "png")
}
rule cyrillic_secret {
    meta:
        description = "the Russian phrase 'секретный ключ' (secret key), UTF-8 or UTF-16LE"
    strings:
        $utf8 = "секретный ключ"
        $utf16 = { 41 04 35 04 3A 04 40 04 35 04 42 04 3D 04 4B 04 39 04 20 00 3A 04 3B 04 4E 04 47 04 }
    condition:
        any of them
}
