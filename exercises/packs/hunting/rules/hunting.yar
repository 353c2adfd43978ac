// The hunting pack's rule: the TulparGrab stealer family (made up for the exercise). Its
// PowerShell samples share a mutex name, the panel's gate path and a build marker; any two of
// them mark a sample (a forum advert that only names the tool is no sample).
rule TulparGrab
{
    meta:
        description = "TulparGrab card stealer: two of mutex, panel gate path, build marker"
        author = "CICA Digital Forensics Workshop"
    strings:
        $mutex = { 47 6C 6F 62 61 6C 5C 54 4C 50 52 2D 37 37 33 31 }  // Global\TLPR-7731
        $gate = "/tg_panel/gate.php"
        $build = /TulparGrab build [0-9a-f]{8}/
    condition:
        2 of them
}
