/** HTTP admin API used by the operator (DESIGN.md section 7). */
package io.hyperkv.admin;
