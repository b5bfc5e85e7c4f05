/* `vmsweep run`: executes a sweep into its results store. */
#ifndef SWEEP_RUN_CMD_H
#define SWEEP_RUN_CMD_H
int cmd_run(int argc, char **argv);
#endif
