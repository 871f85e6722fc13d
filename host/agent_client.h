/*
 * `pvkit agent`: a qemu-ga protocol client for the guest agent's unix
 * socket (`pvkit run --agent SOCK`).
 */
#ifndef PVKIT_HOST_AGENT_CLIENT_H
#define PVKIT_HOST_AGENT_CLIENT_H

/*
 * pvkit agent SOCK COMMAND [key=value | key:=JSON ...] [--json]
 *                          [--timeout S] [--no-wait]
 * argv[0] is SOCK (main passes what follows "agent"). Returns pvkit's
 * exit status: 0 done, 1 the agent failed or did not answer, 2 bad usage;
 * for a guest-exec it waited for, the command's own exit status.
 */
int cmd_agent(int argc, char **argv);

#endif
