/* `vmsweep export DIR --format csv|json`: a sweep's runs as flat files. */
#ifndef SWEEP_EXPORT_CMD_H
#define SWEEP_EXPORT_CMD_H
int cmd_export(int argc, char **argv);
#endif
