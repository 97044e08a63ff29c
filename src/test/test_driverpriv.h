/* test_driverpriv.h: what the test driver's unit test may reach and nothing else should */
/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#ifndef TERN_TEST_DRIVER_PRIV_H_ALLOW
#error "test_driverpriv.h is for the test driver's unit test only"
#endif

/**
 * testDriverResetForTests: forget the shared state (every domain, every
 * event callback), so the next open starts again from the default
 * configuration. No connection to test:///default may be open. Blocks
 * while the event thread stops.
 */
void testDriverResetForTests(void);
