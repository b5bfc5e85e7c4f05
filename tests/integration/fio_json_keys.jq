# Every key path of an fio JSON document with its value's JSON type, one per line:
# "jobs[]/read/clat_ns/N<TAB>number". Array indices are numbers (the same job file gives the same jobs); the keys inside "bins"
# (latencies that differ from run to run) are left out, "bins" itself is kept.
paths as $p
| select(($p | index("bins")) == null or ($p[-1] == "bins"))
| [($p | map(tostring) | join("/")), (getpath($p) | type)]
| @tsv
