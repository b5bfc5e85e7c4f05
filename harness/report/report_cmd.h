/* `vmsweep report DIR`: statistics, figures, report.html and report.md of a sweep. */
#ifndef VMSWEEP_REPORT_CMD_H
#define VMSWEEP_REPORT_CMD_H
int cmd_report(int argc, char **argv);
#endif
