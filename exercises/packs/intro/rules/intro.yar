// The intro pack's rule: a client list of the branch (header and Kazakh IBANs of the bank).
rule ClientList
{
    meta:
        description = "Client list export: IIN column header and at least two branch IBANs"
    strings:
        $header = "IIN,name,account"
        $iban = /KZ[0-9]{2}125KZT[0-9]{10}/
    condition:
        $header and #iban >= 2
}
