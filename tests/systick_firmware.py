"""Assembly shared by the peripheral and interrupt tests: a SysTick handler that counts
into `ticks`, the variable, and a vector table pointing at the handler; and the two cycle
counters every hand count runs on."""

HANDLER = "ldr r0, =ticks\nldr r1, [r0]\nadds r1, #1\nstr r1, [r0]\nbx lr\n.ltorg"
TICKS = "\n.data\n.global ticks\n.type ticks, %object\nticks: .word 0\n.size ticks, 4\n"
VECTORS = '\n.section .vectors,"a"\n.word 0x20001000\n' + ".word 0\n" * 14 + ".word SysTick_Handler + 1\n"
COUNTERS = ["native", "python"]
