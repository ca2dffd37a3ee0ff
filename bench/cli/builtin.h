/* SPDX-License-Identifier: MIT */
/* The bench subcommands (kvmtool's builtin-*.c / perf's cmd_*()). */
#ifndef FB_BUILTIN_H
#define FB_BUILTIN_H

int cmd_run(int argc, char **argv);
void cmd_run_help(void);
int cmd_info(int argc, char **argv);
void cmd_info_help(void);
int cmd_compare(int argc, char **argv);
void cmd_compare_help(void);
int cmd_plot(int argc, char **argv);
void cmd_plot_help(void);
int cmd_report(int argc, char **argv);
void cmd_report_help(void);
int cmd_perf_report(int argc, char **argv);
void cmd_perf_report_help(void);

int cmd_history(int argc, char **argv);
void cmd_history_help(void);

int cmd_verdict(int argc, char **argv);
void cmd_verdict_help(void);
int cmd_ab(int argc, char **argv);
void cmd_ab_help(void);
int cmd_calibrate(int argc, char **argv);
void cmd_calibrate_help(void);

#endif
