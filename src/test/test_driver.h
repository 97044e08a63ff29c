/* test_driver.h: the in-memory test hypervisor behind test:///default */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The test driver answers exactly the URI test:///default, like libvirt's
 * test driver with its default configuration: one running, persistent
 * domain named "test" (uuid 6695eb01-f6a4-8304-79aa-97f2502e193f, 8 GiB
 * maximum and 2 GiB current memory, 2 vcpus, hvm, id 1). Its state lives in
 * memory and is shared by every connection of the process, so a domain
 * defined on one connection is seen on all the others; it is created by
 * the first open and kept until the process exits (unlike libvirt, which
 * forgets it when the last connection closes: ternd's clients connect one
 * command at a time, as virsh does, and expect their domains to stay).
 */

/**
 * testRegister: add the test driver to the drivers ternConnectOpenInternal
 * tries. Idempotent. Call before the first open.
 */
void testRegister(void);
