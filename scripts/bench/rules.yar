// Benchmark rule set: the kind of rules a training lab uses (strings, hex, regex, file headers).
rule credentials_in_text {
    meta: description = "a password or login word in a text file"
    strings:
        $a = "password" nocase
        $b = "login" nocase
    condition: any of them
}
rule email_address {
    strings: $re = /[a-z0-9._%+-]{2,32}@[a-z0-9.-]{2,32}\.(org|com|net)/
    condition: $re
}
rule png_file { condition: uint32be(0) == 0x89504E47 }
rule jpeg_file { condition: uint16be(0) == 0xFFD8 }
rule pdf_file { strings: $h = "%PDF-" condition: $h at 0 }
rule zip_archive { condition: uint32(0) == 0x04034B50 }
rule pe_executable { condition: uint16(0) == 0x5A4D }
rule elf_executable { condition: uint32(0) == 0x464C457F }
rule secret_project {
    strings:
        $s1 = "secret project" nocase
        $s2 = { 73 65 63 72 65 74 20 63 6C 69 65 6E 74 }
    condition: any of them
}
rule budget_and_transfer {
    strings:
        $b = "budget"
        $t = "transfer"
    condition: #b > 20 and #t > 20
}
